"""Child processes a benchmark starts, waits for and always stops (with everything they started).

    with Child.start([sys.executable, "fake_upstream.py", "--port", "9100"], log=Path("up.log")) as up:
        up.wait_http("http://127.0.0.1:9100/health", timeout_s=10)
        print(up.cpu_seconds())
    # here the child and all its descendants are gone

Each child gets its own session, so a Ctrl-C on the terminal reaches only the benchmark, which then
stops its children in order; the session's process group also lets `stop` reach grandchildren
(`tollway serve` starts the AWS emulator) that outlived their parent.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nothing listens on right now (the usual small race is acceptable on loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return found


class Child:
    def __init__(self, process: subprocess.Popen[bytes], name: str, log: Path) -> None:
        self.process = process
        self.name = name
        self.log = log

    @classmethod
    def start(cls, argv: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None,
              cwd: Path | None = None, name: str | None = None) -> Child:
        handle = log.open("wb")
        try:
            process = subprocess.Popen(list(argv), stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True)
        finally:
            handle.close()  # the child holds its own copy of the descriptor
        return cls(process, name or Path(argv[0]).name, log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_http(self, url: str, timeout_s: float) -> None:
        """Poll `url` until it answers 2xx; raise with the child's log if the deadline passes or it dies."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(url, timeout=1.0).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready at {url} after {timeout_s:.0f}s:\n{self.log_tail()}")

    def cpu_seconds(self, descendants: bool = True) -> float:
        """User + system CPU of the child and (by default) its live descendants (the gateway's emulator)."""
        total = 0.0
        for pid in _descendants(self.pid) if descendants else [self.pid]:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            except (OSError, IndexError, ValueError):
                pass
        return total

    def rss_mb(self) -> float:
        """Resident memory of the child and its live descendants."""
        kib = 0
        for pid in _descendants(self.pid):
            try:
                with open(f"/proc/{pid}/status") as f:
                    kib += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            except OSError:
                pass
        return kib / 1024

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM (a graceful stop lets `tollway serve` stop its emulator), then SIGKILL the group."""
        group = self.pid  # start_new_session: the child leads its own process group
        tree = _descendants(self.pid)
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and any(_exists(p) for p in tree[1:]):
            time.sleep(0.05)
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=grace_s)
        leftovers = [pid for pid in tree[1:] if _exists(pid)]
        if leftovers:
            # Only while some of them still exist does the group id surely still name our group.
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            for pid in leftovers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def __enter__(self) -> Child:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _exists(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
