"""What the fake job upstreams share: a job that takes a number of polls to finish, and the knobs
the tests turn (fail it, fail a few polls transiently, hold it forever).

    script = JobScript(polls=3)            # running for 2 polls, finished on the 3rd (default: 2)
    script = JobScript(polls=2, fail="the model crashed")
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class JobScript:
    polls: int = 2  # the poll that sees the job finished (1 = the first poll)
    fail: str | None = None  # finish as failed, with this message
    transient_errors: int = 0  # answer this many polls with HTTP 500 first
    reject: int | None = None  # refuse the create request with this HTTP status


@dataclass
class FakeJob:
    id: str
    script: JobScript
    request: dict[str, Any]
    headers: dict[str, str]
    polls: int = 0
    errors_left: int = 0
    cancelled: bool = False

    @property
    def finished(self) -> bool:
        return self.polls >= self.script.polls

    @property
    def progress(self) -> int:
        return min(99, self.polls * 100 // max(1, self.script.polls))


@dataclass
class JobBook:
    """The jobs a fake has accepted, the script the next ones follow, and what was asked of it."""

    prefix: str
    script: JobScript = field(default_factory=JobScript)
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    creates: int = 0
    polls: int = 0
    cancels: list[str] = field(default_factory=list)
    downloads: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, request: dict[str, Any], headers: dict[str, str]) -> FakeJob:
        with self.lock:
            self.creates += 1
            job = FakeJob(f"{self.prefix}{next(self._ids):04d}", self.script, request, headers,
                          errors_left=self.script.transient_errors)
            self.jobs[job.id] = job
            return job

    def poll(self, job_id: str) -> tuple[FakeJob | None, bool]:
        """Count a poll: the job (None if unknown), and whether this poll fails transiently."""
        with self.lock:
            self.polls += 1
            job = self.jobs.get(job_id)
            if job is None:
                return None, False
            if job.errors_left > 0:
                job.errors_left -= 1
                return job, True
            if not job.cancelled:
                job.polls += 1
            return job, False

    def reset(self) -> None:
        with self.lock:
            self.script = JobScript()
            self.jobs.clear()
            self.creates = self.polls = self.downloads = 0
            self.cancels.clear()


def fake_mp4(tag: str) -> bytes:
    """A few bytes that start like an MP4 (ftyp box) and name the job, so a test can tell videos apart."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + f"video:{tag}".encode()


def fake_mp3(tag: str) -> bytes:
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + f"track:{tag}".encode()
