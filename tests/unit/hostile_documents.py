"""Crafted documents for the attack tests, built in memory: PDFs whose streams inflate far past their
size, DOCX zip bombs (honest and lying about their sizes), and markup that made the old parsers
quadratic.

    flate_pdf([b"BT ... ET" * 200_000])     # one page; its content stream deflated with zlib
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.unit import sample_documents

TEXT_OPERATORS = b"BT /F1 12 Tf 72 720 Td (Hello world) Tj ET\n"
WORD_NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def unclosed_dl_html(size: int = 144_000) -> bytes:
    """Thousands of <dl> never closed, then stray </p>: each </p> once searched every open <dl>."""
    opened = b"<dl>" * (size * 5 // 9 // 4)
    return opened + b"</p>" * ((size - len(opened)) // 4)


def flate_pdf(contents: list[bytes], form: bytes | None = None) -> bytes:
    """One page per content stream, each deflated; `form`, if given, is a deflated form XObject
    every page can draw as /X0."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        packed = zlib.compress(data, 9)
        return b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n%s\nendstream" % (len(packed), extra, packed)

    xobject = b""
    if form is not None:
        objects.append(stream(form, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792]"
                                    b" /Resources << /Font << /F1 3 0 R >> >>"))
        xobject = b" /XObject << /X0 %d 0 R >>" % len(objects)
    kids = []
    for content in contents:
        objects.append(stream(content))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >>"
                       b"%s >> /Contents %d 0 R >>" % (xobject, len(objects)))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def docx_with(members: dict[str, bytes]) -> bytes:
    """python-docx's empty document with `members` added or replaced, deflated."""
    with zipfile.ZipFile(io.BytesIO(sample_documents.empty_docx())) as template:
        parts = {name: template.read(name) for name in template.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (parts | members).items():
            archive.writestr(name, content)
    return out.getvalue()


def body_xml(body: str, padding: int = 0) -> bytes:
    """A document.xml with this body, and `padding` spaces of whitespace inside it (they deflate to nothing)."""
    return (f"<w:document {WORD_NAMESPACE}><w:body>".encode() + b" " * padding + body.encode()
            + b"</w:body></w:document>")


def lying_about_size(archive: bytes, name: str, declared: int) -> bytes:
    """The archive with `name` declaring `declared` bytes (and the CRC of its first `declared` bytes),
    whatever it really inflates to: zipfile would inflate all of it before it truncates."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        info = source.getinfo(name)
        crc = zlib.crc32(source.read(name)[:declared])
    data = bytearray(archive)
    struct.pack_into("<L", data, info.header_offset + 14, crc)
    struct.pack_into("<L", data, info.header_offset + 22, declared)
    central = data.find(b"PK\x01\x02")
    while central >= 0:  # the directory entry of the member at that offset (a signature in data is skipped)
        (offset,) = struct.unpack_from("<L", data, central + 42)
        if offset == info.header_offset:
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def many_styles_docx(styles: int, paragraphs: int) -> bytes:
    """Every paragraph names one of many styles: python-docx searched all of them per paragraph."""
    styles_xml = f"<w:styles {WORD_NAMESPACE}>" + "".join(
        f'<w:style w:type="paragraph" w:styleId="S{i}"><w:name w:val="s{i}"/></w:style>' for i in range(styles)
    ) + "</w:styles>"
    body = "".join(f'<w:p><w:pPr><w:pStyle w:val="S{i % styles}"/></w:pPr><w:r><w:t>p{i}</w:t></w:r></w:p>'
                   for i in range(paragraphs))
    return docx_with({"word/document.xml": body_xml(body), "word/styles.xml": styles_xml.encode()})


def merged_table_docx(rows: int, columns: int) -> bytes:
    """A first row of cells, then rows that all continue it (vertical merges): python-docx walked up
    each column for every cell, and along the row for each cell's position."""
    first = "".join('<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>top</w:t></w:r></w:p></w:tc>'
                    for _ in range(columns))
    below = "<w:tr>" + '<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>' * columns + "</w:tr>"
    table = f"<w:tbl><w:tr>{first}</w:tr>{below * rows}</w:tbl><w:p><w:r><w:t>after</w:t></w:r></w:p>"
    return docx_with({"word/document.xml": body_xml(table)})
