"""Real documents built in memory for the parsing tests: no binary fixtures in git.

`pdf(pages)` writes a minimal valid PDF by hand (catalog, page tree, Helvetica, one content stream
per page placing each line at its y), independent of the pypdf that reads it.
"""

from __future__ import annotations

import io

Line = tuple[float, str]  # (baseline y in points from the bottom, text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(pages: list[list[Line]]) -> bytes:
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages))).encode(), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 12 Tf", *(f"1 0 0 1 72 {y} Tm ({_escape(text)}) Tj" for y, text in lines), "ET"]
        content = "\n".join(ops).encode("cp1252")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def paragraphs_pdf() -> bytes:
    """Two pages: page 1 has a two-line paragraph, then two one-line paragraphs; page 2 one line."""
    return pdf([
        [(720, "The first paragraph starts here"), (706, "and continues on a second line."),
         (670, "A second paragraph (with parentheses)."), (640, "A third one.")],
        [(720, "Page two has its own text.")],
    ])


def encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(paragraphs_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Quarterly report", 0)
    document.add_heading("Summary", level=1)
    document.add_paragraph("Revenue grew in every region.")
    document.add_paragraph("First finding", style="List Bullet")
    document.add_paragraph("Second finding", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("Region", "Revenue"), ("North", "42")), strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Details", level=2)
    document.add_paragraph("The end.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def empty_docx() -> bytes:
    import docx as python_docx

    out = io.BytesIO()
    python_docx.Document().save(out)
    return out.getvalue()
