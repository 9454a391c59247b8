"""What a DOCX really unpacks to, measured before python-docx unpacks it.

python-docx reads every part of the zip whole into memory, and zipfile checks a member against the
size the zip's directory declares only after inflating all of it: a member that declares 100 bytes
can inflate to gigabytes first. So every member is inflated here, in bounded steps and discarding
the output, and the total is held to `DocumentLimits.unpack_allowance` (100 times the file's size,
never more than 64 MB). Only what Word writes is accepted: stored or deflated members, none
encrypted, each the size the directory declares, none sharing bytes with another (overlapping
members are how the smallest zip bombs multiply one compressed kernel, and each would be read
again in full). XML entities need nothing here: python-docx parses with `resolve_entities=False`
and lxml refuses entity loops, so a "billion laughs" DTD expands to nothing.

    check_archive(data, blocks)     # PayloadTooLarge (413) or InvalidRequest (400), else nothing
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tollway.documents.collector import BlockCollector, unpacks_too_large
from tollway.errors import InvalidRequest, PayloadTooLarge

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader; the name and extra lengths end it
_STEP = 1024 * 1024  # the most inflated at once: what this check holds in memory
_INPUT_STEP = 64 * 1024  # compressed bytes fed at once, so zlib never copies a whole member's rest


def _unreadable(reason: str) -> InvalidRequest:
    return InvalidRequest(f"The DOCX file cannot be read: {reason}.", code="invalid_document")


def _member_bytes(data: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """The member's compressed bytes, found as zipfile finds them (the local header, then its data)."""
    header = bytes(data[info.header_offset:info.header_offset + _LOCAL_HEADER.size])
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _unreadable("it is corrupt or truncated")
    *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    return data[start:start + info.compress_size]


def _inflated_size(data: memoryview, info: zipfile.ZipInfo, most: int, blocks: BlockCollector) -> int:
    """How many bytes the member inflates to, counting no further than just past `most`."""
    if info.flag_bits & 0x1:
        raise _unreadable("a part of it is encrypted")
    packed = _member_bytes(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        return _as_declared(len(packed), info)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _unreadable("a part of it is compressed with a method Word does not use")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = position = 0
    while size <= most and not inflater.eof:
        blocks.budget.tick()
        piece = inflater.unconsumed_tail or packed[position:position + _INPUT_STEP]
        if not inflater.unconsumed_tail:
            position += len(piece)
        try:
            chunk = inflater.decompress(piece, _STEP)
        except zlib.error:
            raise _unreadable("it is corrupt or truncated") from None
        size += len(chunk)
        if not chunk and position >= len(packed) and not inflater.unconsumed_tail:
            break  # the data ends before the stream does: python-docx will say it is truncated
    return _as_declared(size, info) if inflater.eof else size


def _as_declared(size: int, info: zipfile.ZipInfo) -> int:
    """zipfile silently cuts a member that inflates past its declared size (if the CRC fits the cut)."""
    if size != info.file_size:
        raise _unreadable("a part of it is not the size the archive says")
    return size


def check_archive(data: bytes, blocks: BlockCollector) -> None:
    limits = blocks.limits
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    declared = sum(info.file_size for info in infos)
    if sum(info.compress_size for info in infos) > len(data):
        raise _unreadable("its parts overlap")
    if len(infos) > limits.max_archive_entries or declared > limits.max_unpacked_bytes:
        raise blocks.budget.refuse(PayloadTooLarge(
            f"The DOCX unpacks to {declared // (1024 * 1024)} MB in {len(infos)} parts; at most "
            f"{limits.max_unpacked_bytes // (1024 * 1024)} MB in {limits.max_archive_entries} parts can be parsed.",
            code="document_too_large",
        ))
    left = limits.unpack_allowance(len(data))
    view = memoryview(data)
    for info in infos:
        left -= _inflated_size(view, info, left, blocks)
        if left < 0:
            raise blocks.budget.refuse(unpacks_too_large("DOCX", len(data), limits))
