"""A real PNG drawn from a text, with no imaging library: zlib and struct are enough.

    data = draw_png("a lighthouse at dusk", 256, 256)     # b"\\x89PNG…", the same bytes every time

The picture is a vertical gradient between two colours taken from the text's hash, under a
mirrored 8×8 grid of cells (an identicon) also taken from the hash: different prompts look
different, the same prompt always looks the same. Rows are built by repeating byte runs, so a
2048×2048 image costs milliseconds, not a Python loop per pixel.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

GRID = 8


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _cells(digest: bytes) -> list[list[bool]]:
    """An 8×8 grid mirrored left to right, from 32 bits of the digest."""
    bits = int.from_bytes(digest[6:10], "big")
    half = GRID // 2
    rows = []
    for y in range(GRID):
        left = [bool(bits >> (y * half + x) & 1) for x in range(half)]
        rows.append(left + left[::-1])
    return rows


def draw_png(text: str, width: int, height: int) -> bytes:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    top, bottom, ink = digest[0:3], digest[3:6], bytes(255 - c for c in digest[10:13])
    cells = _cells(digest)
    edges = [x * width // GRID for x in range(GRID + 1)]
    rows = []
    for y in range(height):
        t = y / max(height - 1, 1)
        ground = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        marks = cells[y * GRID // height]
        row = b"".join((ink if marks[x] else ground) * (edges[x + 1] - edges[x]) for x in range(GRID))
        rows.append(b"\x00" + row)  # filter type 0 (none) for every scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    text_chunk = b"Software\x00tollway local/image"
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"tEXt", text_chunk)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + _chunk(b"IEND", b""))
