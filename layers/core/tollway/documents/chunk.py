"""Split text into chunks of at most `max_chars`, on the best boundary available, with overlap.

    >>> [c.text for c in chunk_text("One. Two. Three.", max_chars=100, overlap_chars=0)]
    ['One. Two. Three.']
    >>> chunks = chunk_blocks(parsed.blocks, max_chars=2000, overlap_chars=200)

The guarantees (the unit tests check each on many random texts):

- every chunk is `text[start:end]` exactly, at most `max_chars` long, without leading or trailing
  whitespace; starts and ends strictly increase;
- together the chunks cover every non-whitespace character, in order (only whitespace falls between
  two chunks);
- consecutive chunks overlap by at most `overlap_chars`; the overlap starts at the first word that
  fits, so it is as long as possible without cutting a word (a single word longer than the overlap
  is cut);
- a chunk ends at the last paragraph break in the upper half of its window, else the last sentence
  end there, else line break, else space; only if the upper half has none of these is the lower
  half searched the same way, and only if that fails is a word cut at `max_chars`. The upper-half
  floor keeps one early paragraph break from producing a tiny chunk.

`chunk_blocks` joins the blocks' texts (see `joined_text`: a blank line between blocks, a single line
break after a heading so a heading stays with the text it introduces) and adds the pages each chunk
covers; offsets refer to that joined text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from tollway.documents.collector import DEFAULT_LIMITS
from tollway.documents.model import Chunk, TextBlock
from tollway.errors import InvalidRequest, PayloadTooLarge

MIN_MAX_CHARS, MAX_MAX_CHARS, MAX_OVERLAP_CHARS = 100, 8000, 4000
# Bound the work and the answer of one request: with max_chars close to overlap_chars every chunk
# repeats almost all of the previous one, and the output would grow to max_chars times the input.
MAX_CHUNKS = 50_000
MAX_OUTPUT_CHARS = 10_000_000

# Each pattern ends right after a non-space character: the chunk ends there.
_PARAGRAPH = re.compile(r"\S(?=[ \t]*\n[ \t]*\n)")
_SENTENCE = re.compile(r"[.!?…]['\"”’)\]]*(?=\s)|[。！？]['\"”’」』)\]]*")
_LINE = re.compile(r"\S(?=[ \t]*\n)")
_SPACE = re.compile(r"\S(?=\s)")
_BREAKS = (_PARAGRAPH, _SENTENCE, _LINE, _SPACE)
_LOOKAHEAD = 256  # how far past the window a break's lookahead may need to read
_NON_SPACE = re.compile(r"\S")
_WORD_START = re.compile(r"(?<!\S)\S")


def _check_sizes(max_chars: int, overlap_chars: int) -> None:
    if not MIN_MAX_CHARS <= max_chars <= MAX_MAX_CHARS:
        raise InvalidRequest(f"max_chars must be between {MIN_MAX_CHARS} and {MAX_MAX_CHARS}",
                             code="invalid_value", param="max_chars")
    if not 0 <= overlap_chars <= MAX_OVERLAP_CHARS or overlap_chars >= max_chars:
        raise InvalidRequest(f"overlap_chars must be between 0 and {MAX_OVERLAP_CHARS} and less than max_chars",
                             code="invalid_value", param="overlap_chars")


def _last_break(pattern: re.Pattern[str], text: str, low: int, high: int) -> int | None:
    """The last break position p of this kind with low < p <= high."""
    last = None
    for match in pattern.finditer(text, low, min(len(text), high + _LOOKAHEAD)):
        if match.end() > high:
            break
        last = match.end()
    return last


def _trimmed_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _chunk_end(text: str, start: int, previous_end: int, max_chars: int) -> int:
    limit = start + max_chars
    if limit >= len(text):
        return _trimmed_end(text, len(text))
    floor = max(previous_end, start + max_chars // 2)
    for low, high in ((floor, limit), (previous_end, floor)):
        for pattern in _BREAKS:
            if (end := _last_break(pattern, text, low, high)) is not None:
                return end
    return _trimmed_end(text, limit)  # one word longer than the window: cut it


def _next_start(text: str, start: int, end: int, overlap_chars: int, max_chars: int) -> int | None:
    following = _NON_SPACE.search(text, end)
    if following is None:
        return None
    low = max(end - overlap_chars, start + 1)
    if overlap_chars == 0 or low >= end:  # no overlap asked for, or a one-character chunk: nothing to repeat
        return following.start()
    word = _WORD_START.search(text, low, end)
    begin = word.start() if word else low
    # After a whitespace run longer than a chunk, an overlap could not reach the next word.
    return begin if following.start() < begin + max_chars else following.start()


def _too_many_chunks() -> PayloadTooLarge:
    return PayloadTooLarge(f"The text would make more than {MAX_CHUNKS} chunks or {MAX_OUTPUT_CHARS} characters "
                           "of chunks: raise max_chars or lower overlap_chars.", code="too_many_chunks")


def _spans(text: str, max_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    _check_sizes(max_chars, overlap_chars)
    if len(text) > DEFAULT_LIMITS.max_chars:
        raise PayloadTooLarge(f"The text is longer than {DEFAULT_LIMITS.max_chars} characters.",
                              code="document_too_large")
    # Up front from the best case (every chunk full), then again as chunks are made.
    step = max_chars - overlap_chars
    if len(text) // step > MAX_CHUNKS or len(text) * max_chars // step > MAX_OUTPUT_CHARS:
        raise _too_many_chunks()
    first = _NON_SPACE.search(text)
    if first is None:
        return []
    spans: list[tuple[int, int]] = []
    output = 0
    start = previous_end = first.start()
    while True:
        end = _chunk_end(text, start, previous_end, max_chars)
        spans.append((start, end))
        output += end - start
        if len(spans) > MAX_CHUNKS or output > MAX_OUTPUT_CHARS:
            raise _too_many_chunks()
        following = _next_start(text, start, end, overlap_chars, max_chars)
        if following is None:
            return spans
        start, previous_end = following, end


def chunk_text(text: str, *, max_chars: int, overlap_chars: int) -> list[Chunk]:
    return [Chunk(index=i, text=text[s:e], start=s, end=e)
            for i, (s, e) in enumerate(_spans(text, max_chars, overlap_chars))]


def _separator(block: TextBlock) -> str:
    return "\n" if block.kind == "heading" else "\n\n"


def joined_text(blocks: Sequence[TextBlock]) -> str:
    """The text `chunk_blocks` chunks: the offsets of its chunks point into this string."""
    return "".join(block.text + (_separator(block) if i < len(blocks) - 1 else "")
                   for i, block in enumerate(blocks))


def chunk_blocks(blocks: Sequence[TextBlock], *, max_chars: int, overlap_chars: int) -> list[Chunk]:
    text = joined_text(blocks)
    starts, ends, position = [], [], 0
    for i, block in enumerate(blocks):
        starts.append(position)
        ends.append(position + len(block.text))
        position = ends[-1] + (len(_separator(block)) if i < len(blocks) - 1 else 0)
    chunks = []
    for index, (start, end) in enumerate(_spans(text, max_chars, overlap_chars)):
        # Blocks overlapping [start, end): the first whose end is past start, up to the last starting before end.
        first, last = bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)
        pages = sorted({p for p in (blocks[i].page for i in range(first, last)) if p is not None})
        chunks.append(Chunk(index=index, text=text[start:end], start=start, end=end, pages=pages or None))
    return chunks
