"""The emulator's write-ahead journal: a write the emulator acknowledged survives a crash of either
process (`tollway serve` or its emulator child), though snapshots are only taken every few seconds.

    journal = Journal.open(data_dir, generation)          # the segment after the last snapshot
    ticket = journal.append(request)                      # under the lock that ordered the write
    journal.wait_durable(ticket)                          # before the answer leaves (group commit)
    journal.rotate(generation + 1)                        # under every store lock, with the snapshot
    for request in entries(data_dir, since=generation): ...   # replayed over the snapshot at start

What is journaled is the request itself, exactly as moto received it (its CGI environ and body), for
each DynamoDB and S3 call that may change state and that moto answered with a 2xx: replaying the
same requests in the same order over the same snapshot rebuilds the same tables and objects (every
value of an item or an object comes from its request; conditions see the same state). The one value
moto makes up that later requests name, a multipart upload's id, is mapped at replay (see `Replay`).

Files: `emulator.journal.<generation>` beside `emulator.pickle`. The snapshot of generation G holds
every write of the segments before G, so segments below it are deleted once it is on disk, and those
from G on are replayed over it. A record is `<length><crc32><pickle>`: a kill mid-append leaves a
torn last record, which replay stops at (it was never acknowledged).

Durability: each answer waits until its record is written and fdatasync'd, so an acknowledged write
survives a killed process and the machine alike. Writers share writes and fdatasyncs (group
commit: see `Journal`; bench/emulator_journal.py measures the cost per write). A read waits the same
way for the writes before it, so no answer ever shows a write that could still be lost.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import re
import struct
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("tollway.local")

PREFIX = "emulator.journal."
HEADER = struct.Struct("<II")  # payload length, crc32 of the payload
# Reads: every other DynamoDB action may change a table (PartiQL statements included).
DYNAMODB_READS = ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "Describe", "List")
S3_WRITES = frozenset({"PUT", "POST", "DELETE"})
# What says nothing about the write (who sent it, from where, with which SDK): not journaled.
NOT_KEPT = ("REMOTE_", "SERVER_SOFTWARE", "HTTP_USER_AGENT", "HTTP_AMZ_SDK_", "HTTP_ACCEPT_ENCODING", "HTTP_CONNECTION")
UPLOAD_ID = re.compile(rb"<UploadId>([^<]+)</UploadId>")


def segment(folder: Path, generation: int) -> Path:
    return folder / f"{PREFIX}{generation}"


def segments(folder: Path) -> list[tuple[int, Path]]:
    found = []
    for path in folder.glob(PREFIX + "*"):
        suffix = path.name[len(PREFIX):]
        if suffix.isdigit():
            found.append((int(suffix), path))
    return sorted(found)


def is_write(service: str | None, environ: dict[str, Any]) -> bool:
    """Whether moto may change its DynamoDB or S3 state for this request."""
    if service == "dynamodb":
        action = environ.get("HTTP_X_AMZ_TARGET", "").partition(".")[2]
        return not action.startswith(DYNAMODB_READS)
    return service == "s3" and environ.get("REQUEST_METHOD", "") in S3_WRITES


@dataclass
class Request:
    """A request as moto sees it: its CGI variables (str values only) and its whole body."""

    environ: dict[str, str]
    body: bytes
    upload_id: str | None = None  # a CreateMultipartUpload's answer, for replay to map

    @classmethod
    def take(cls, environ: dict[str, Any]) -> Request:
        """Read the body now (replacing the stream moto will read with a copy) and record the rest."""
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit():
            body = stream.read(int(length))
        elif environ.get("wsgi.input_terminated"):
            body = stream.read()  # chunked: the server ends the stream
        else:
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return cls({k: v for k, v in environ.items()
                    if "." not in k and isinstance(v, str) and not k.startswith(NOT_KEPT)}, body)

    def environ_for_replay(self, renamed: dict[str, str]) -> dict[str, Any]:
        environ: dict[str, Any] = dict(self.environ)
        if renamed and "uploadId=" in environ.get("QUERY_STRING", ""):
            for name in ("QUERY_STRING", "REQUEST_URI", "RAW_URI"):
                if name in environ:
                    for old, new in renamed.items():
                        environ[name] = environ[name].replace(old, new)
        environ.update({"wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(self.body),
                        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False,
                        "wsgi.run_once": False})
        return environ


def answered_upload_id(body: bytes) -> str | None:
    found = UPLOAD_ID.search(body)
    return found.group(1).decode() if found else None


class Journal:
    """Records are queued in memory under the store lock that ordered them and written by whichever
    waiter finds no write in progress: everything queued so far, in one write and one fdatasync. No
    store lock ever waits on the disk (a write to a file being fdatasync'd can block until the sync
    ends), and writes that arrive during a sync share the next one."""

    def __init__(self, folder: Path, generation: int) -> None:
        self.folder = folder
        self.generation = generation
        self._fd = self._open(generation)
        self._cond = threading.Condition()
        self._queued: list[bytes] = []
        self._appended = 0  # bytes appended since this process opened the journal (across segments)
        self._durable = 0  # of those, written and fdatasync'd
        self._syncing = False
        self.appended = 0  # records in the current segment

    def _open(self, generation: int) -> int:
        return os.open(segment(self.folder, generation), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def append(self, request: Request) -> int:
        """Queue one record; the caller holds the lock that ordered the request. Returns its ticket."""
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        record = HEADER.pack(len(payload), zlib.crc32(payload)) + payload
        with self._cond:
            self._queued.append(record)
            self._appended += len(record)
            self.appended += 1
            return self._appended

    def ticket(self) -> int:
        """What a read must wait for: every write appended so far."""
        return self._appended

    def wait_durable(self, ticket: int) -> None:
        if self._durable >= ticket:
            return
        with self._cond:
            while self._durable < ticket:
                if self._syncing:
                    self._cond.wait()
                    continue
                self._syncing = True
                batch, self._queued = self._queued, []
                target, fd = self._appended, self._fd
                self._cond.release()
                try:
                    _write_all(fd, b"".join(batch))
                    os.fdatasync(fd)
                except BaseException:
                    self._cond.acquire()
                    self._queued[:0] = batch  # the next waiter tries again; this answer fails
                    self._syncing = False
                    self._cond.notify_all()
                    raise
                self._cond.acquire()
                self._syncing = False
                self._durable = target
                self._cond.notify_all()

    def _drain(self) -> None:
        """Write and sync what is queued (the caller holds the condition, no sync is running)."""
        while self._syncing:
            self._cond.wait()
        if self._queued:
            _write_all(self._fd, b"".join(self._queued))
            self._queued = []
        os.fdatasync(self._fd)
        self._durable = self._appended
        self._cond.notify_all()

    def rotate(self, generation: int) -> None:
        """Start segment `generation` (the caller holds every store lock, so nothing is appended)."""
        with self._cond:
            self._drain()
            os.close(self._fd)
            self._fd = self._open(generation)
            self.generation = generation
            self.appended = 0

    def close(self) -> None:
        with self._cond:
            self._drain()
            os.close(self._fd)


def _write_all(fd: int, data: bytes) -> None:
    """All of `data`, or nothing: a failed write (a full disk) is cut off, never left half a record."""
    size = os.fstat(fd).st_size
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        os.ftruncate(fd, size)
        raise


def entries(path: Path) -> Iterator[Request]:
    """The records of one segment, in order, up to the first torn one."""
    with path.open("rb") as stream:
        while True:
            header = stream.read(HEADER.size)
            if len(header) < HEADER.size:
                if header:
                    log.warning("tollway: %s ends with a torn record (a write that was never answered)", path.name)
                return
            length, crc = HEADER.unpack(header)
            payload = stream.read(length)
            if len(payload) < length or zlib.crc32(payload) != crc:
                log.warning("tollway: %s ends with a torn record (a write that was never answered)", path.name)
                return
            yield pickle.loads(payload)  # noqa: S301 - our own journal, in the operator's data dir


@dataclass
class Replay:
    """Replays journaled requests through the emulator's app, in order."""

    app: Any
    renamed: dict[str, str] = field(default_factory=dict)  # multipart upload ids: journaled → replayed
    replayed: int = 0
    refused: int = 0

    def segment(self, path: Path) -> None:
        for request in entries(path):
            self.one(request)

    def one(self, request: Request) -> None:
        status: list[str] = []

        def start_response(line: str, headers: list[Any], exc_info: Any = None) -> Any:
            status.append(line)
            return lambda data: None

        answer = self.app(request.environ_for_replay(self.renamed), start_response)
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        self.replayed += 1
        if not status or not status[0].startswith("2"):
            self.refused += 1  # should not happen: the same request over the same state succeeded before
            return
        if request.upload_id is not None:
            new = answered_upload_id(body)
            if new is not None:
                self.renamed[request.upload_id] = new
