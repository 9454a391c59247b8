"""Documents: local parsing (PDF, DOCX, HTML, Markdown, text) into text blocks, and chunking.

    >>> from tollway.documents import chunk_blocks, parse_document
    >>> doc = parse_document(data, filename="report.pdf")
    >>> chunks = chunk_blocks(doc.blocks, max_chars=2000, overlap_chars=200)
    >>> chunks[0].pages
    [1]
"""

from tollway.documents.chunk import chunk_blocks, chunk_text, joined_text
from tollway.documents.collector import DEFAULT_LIMITS, DocumentLimits
from tollway.documents.model import Chunk, ParsedDocument, TextBlock
from tollway.documents.parse import parse_document

__all__ = ["DEFAULT_LIMITS", "Chunk", "DocumentLimits", "ParsedDocument", "TextBlock", "chunk_blocks",
           "chunk_text", "joined_text", "parse_document"]
