"""What the emulator keeps in the data dir: keys, balances, usage, files and operation records survive a
restart, and every write it acknowledged survives a crash.

    state = SavedState(data_dir, locks)      # locks: every lock that orders the emulator's writes
    state.restore(app)                       # the last snapshot, then the journal replayed over it
    journal = state.open_journal()           # where the app journals its writes from now on
    state.save()                             # a snapshot; the journal it holds is deleted

A snapshot is the DynamoDB and S3 backends pickled to one file, written atomically (temp file,
fsync, rename) under all the locks, at most every few seconds when something was written and at
shutdown. It carries a generation G: the journal segments before G are in it, the ones from G on are
replayed over it (emulator_journal.py). Taking the snapshot and switching the journal to segment G
happen under the same locks, so no write is in both or in neither; a crash between writing the
snapshot and deleting the old segments leaves segments that the next start simply ignores.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tollway.local.emulator_journal import Journal, Replay, segments

SERVICES = ("dynamodb", "s3")
FILE = "emulator.pickle"


def has_saved_state(data_dir: Path | None) -> bool:
    """Whether a start from `data_dir` restores anything (a snapshot, or a journal to replay)."""
    if data_dir is None or not data_dir.is_dir():
        return False
    return (data_dir / FILE).is_file() or any(path.stat().st_size for _, path in segments(data_dir))


class SavedState:
    def __init__(self, folder: Path, locks: tuple[threading.Lock, ...]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / FILE
        self.locks = locks
        self.generation = 0  # of the snapshot on disk
        self.journal: Journal | None = None

    def restore(self, app: Any) -> Replay:
        """Load the snapshot, then replay the journal written after it through `app`."""
        from moto.backends import get_backend

        state: dict[str, Any] = {}
        if self.path.is_file():
            try:
                state = pickle.loads(self.path.read_bytes())  # noqa: S301 - our own local snapshot
            except Exception as exc:  # noqa: BLE001 - a damaged snapshot must not stop the gateway
                print(f"tollway: ignoring unreadable snapshot {self.path}: {type(exc).__name__}", file=sys.stderr)
                state = {}
        for name in SERVICES:
            backend = get_backend(name)  # type: ignore[call-overload]
            backend.clear()
            backend.update(state.get(name, {}))
        self.generation = int(state.get("generation", 0))
        replay = Replay(app)
        for generation, path in segments(self.folder):
            if generation < self.generation:
                path.unlink(missing_ok=True)  # already in the snapshot
            else:
                replay.segment(path)
        if replay.refused:
            print(f"tollway: {replay.refused} of {replay.replayed} journaled write(s) did not apply again",
                  flush=True)
        return replay

    def open_journal(self) -> Journal:
        """A fresh segment after every one replayed (a torn tail is never appended to)."""
        last = max((generation for generation, _ in segments(self.folder)), default=self.generation - 1)
        self.journal = Journal(self.folder, max(self.generation, last + 1))
        return self.journal

    def save(self) -> None:
        from moto.backends import get_backend

        journal = self.journal
        with ExitStack() as held:
            for lock in self.locks:
                held.enter_context(lock)
            if journal is not None and journal.appended == 0 and self.path.is_file():
                return  # nothing written since the last snapshot
            generation = (journal.generation if journal is not None else self.generation) + 1
            try:
                blob = pickle.dumps({"generation": generation} | {
                    name: dict(get_backend(name)) for name in SERVICES})  # type: ignore[call-overload]
            except Exception as exc:  # noqa: BLE001 - the journal still holds every write
                print(f"tollway: snapshot failed: {type(exc).__name__}", file=sys.stderr)
                return
            if journal is not None:
                journal.rotate(generation)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        _fsync_folder(self.folder)
        self.generation = generation
        for old, path in segments(self.folder):
            if old < generation:
                path.unlink(missing_ok=True)

    def every(self, seconds: float) -> None:
        while True:
            time.sleep(seconds)
            try:
                self.save()
            except OSError as exc:  # a full disk: the journal keeps growing, the next try may succeed
                print(f"tollway: snapshot failed: {type(exc).__name__}", file=sys.stderr)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
