"""The embedded AWS emulator (moto) as a child process on loopback.

With the template, the child creates the template's tables and buckets before it says it is ready
(`emulator_resources.py`), and runs the Lambda functions the template's state machines invoke
(`lambda_runtime.py`), so Step Functions executions run the real worker code locally. It loads
only what those services need, and serves them without per-request work they do not need
(`moto_trims.py`, `emulator_server.py`, `dynamodb_patches.py`).

A child, not a thread: moto's handlers then run on the other core instead of competing with the
gateway for one GIL, and a crash in either leaves the other intact. DynamoDB requests are
serialized inside the emulator: moto locks request routing but not its backend, and without this
lock concurrent conditional writes can overspend (see DESIGN.md, "Local emulator facts"). Real
DynamoDB needs no such help. With a data dir, state survives restarts and crashes: snapshots and a
write-ahead journal of every acknowledged write (`emulator_state.py`, `emulator_journal.py`).

    with Emulator.start() as emu:
        os.environ["AWS_ENDPOINT_URL"] = emu.endpoint
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tollway.local.emulator_journal import Journal, Request, answered_upload_id, is_write

if TYPE_CHECKING:  # moto: imported by the child only
    from tollway.local.emulator_server import ServiceDispatcher

READY = "tollway-emulator-ready"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Emulator:
    def __init__(self, process: subprocess.Popen[str], port: int, template: Path | None = None) -> None:
        self.process = process
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.template = template  # given one, the child creates its tables and buckets before it is ready

    @classmethod
    def start(cls, port: int | None = None, timeout_s: float = 30.0, data_dir: Path | None = None,
              template: Path | None = None) -> Emulator:
        """Start the child and wait until it serves (see `launch` to do other work meanwhile)."""
        emulator = cls.launch(port, data_dir=data_dir, template=template)
        emulator.wait_ready(timeout_s)
        return emulator

    @classmethod
    def launch(cls, port: int | None = None, data_dir: Path | None = None, template: Path | None = None) -> Emulator:
        """Start the child without waiting for it; with `data_dir`, state is restored from and saved to
        a snapshot there; with `template`, the child creates the template's tables and buckets before
        it is ready, and the Lambda functions its state machines invoke run their code (in the child)."""
        port = port or free_port()
        env = os.environ | FAKE_CREDENTIALS
        process = subprocess.Popen(
            [sys.executable, "-m", "tollway.local.emulator", str(port), str(os.getpid()),
             str(data_dir.resolve()) if data_dir else "", str(template.resolve()) if template else ""],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        return cls(process, port, template)

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        process = self.process
        assert process.stdout is not None
        deadline = time.monotonic() + timeout_s
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.strip() == READY or process.poll() is not None:
                break
            if line.strip():
                print(line, end="", flush=True)  # what it says while starting (a replayed journal)
        if line.strip() != READY:
            process.kill()
            err = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"the AWS emulator did not start: {err[-2000:]}")
        # Keep draining its pipes so a chatty emulator can never block on a full pipe.
        for stream in (process.stdout, process.stderr):
            threading.Thread(target=_drain, args=(stream,), daemon=True).start()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _drain(stream: Any) -> None:
    for _ in iter(stream.readline, ""):
        pass


@contextmanager
def running() -> Iterator[Emulator]:
    emulator = Emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


# -- the child process ----------------------------------------------------------------------------


class StoreRequests:
    """WSGI middleware: one DynamoDB request at a time inside the emulator; with a journal (a data
    dir), S3 writes are ordered too, and every DynamoDB or S3 write moto answers with a 2xx is
    journaled under its lock and durable before its answer leaves (emulator_journal.py)."""

    def __init__(self, app: ServiceDispatcher) -> None:
        self.app = app
        self.lock = threading.Lock()  # DynamoDB
        self.s3_writes = threading.Lock()
        self.journal: Journal | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        journal = self.journal
        service = self.app.service_of(environ)
        if service == "dynamodb":
            lock: threading.Lock | None = self.lock
        elif journal is not None and service == "s3":
            lock = self.s3_writes if is_write(service, environ) else None
        else:
            return self.app(environ, start_response)
        request = Request.take(environ) if journal is not None and is_write(service, environ) else None
        status: list[str] = []

        def seen(line: str, headers: list[Any], exc_info: Any = None) -> Any:
            status.append(line)
            return start_response(line, headers, exc_info)

        if lock is None:  # an S3 read: like a DynamoDB one, never ahead of the journal
            answer = list(self.app(environ, seen))
            if journal is not None:
                journal.wait_durable(journal.ticket())
            return answer
        with lock:
            # Consume the whole response under the lock: moto builds it lazily.
            try:
                answer = list(self.app(environ, seen))
            finally:
                if service == "dynamodb":
                    from tollway.local.dynamodb_patches import forget_tracked_instances

                    forget_tracked_instances()
            if journal is None:
                return answer
            ticket = journal.ticket()
            if request is not None and status and status[0].startswith("2"):
                if "uploads" in environ.get("QUERY_STRING", ""):
                    request.upload_id = answered_upload_id(b"".join(answer))
                ticket = journal.append(request)
        journal.wait_durable(ticket)
        return answer


def _exit_with_parent(parent_pid: int, on_exit: Any) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            on_exit()
            os._exit(0)


def main(argv: list[str]) -> None:
    port, parent_pid = int(argv[0]), int(argv[1])
    data_dir = Path(argv[2]) if len(argv) > 2 and argv[2] else None
    template = Path(argv[3]) if len(argv) > 3 and argv[3] else None
    import logging

    from tollway.local.lean_dependencies import trim_dependencies
    from tollway.local.moto_trims import defer_moto_batch, remember_handler_methods, share_region_lists

    trim_dependencies()
    defer_moto_batch()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # errors only, never a line per request
    from moto.core.config import default_user_config
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.serving import make_server

    from tollway.local.emulator_server import QuietRequestHandler, ServiceDispatcher
    from tollway.local.emulator_state import SavedState

    # Step Functions executes real ASL (the async operations run the same definitions locally).
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    from tollway.local.dynamodb_patches import install

    install()
    remember_handler_methods()
    share_region_lists(("dynamodb", "s3"))
    os.environ.setdefault("MOTO_PORT", str(port))
    declared = None
    if template is not None:
        from tollway.local.lambda_runtime import install
        from tollway.local.template import Template

        declared = Template(template)
        install(declared, port)
    app = StoreRequests(ServiceDispatcher(create_backend_app))
    saved = SavedState(data_dir, (app.lock, app.s3_writes)) if data_dir else None
    if saved:
        replayed = saved.restore(app)  # not journaled again: the app has no journal yet
        app.journal = saved.open_journal()
        if replayed.replayed:
            print(f"tollway: replayed {replayed.replayed} write(s) the emulator journaled after its last snapshot",
                  flush=True)
        # Snapshots bound the journal a start replays; the journal, not they, makes writes durable.
        every_s = float(os.environ.get("TOLLWAY_SNAPSHOT_SECONDS") or 5.0)
        threading.Thread(target=saved.every, args=(every_s,), daemon=True).start()
    if declared is not None:
        from tollway.local.emulator_resources import create_template_resources

        create_template_resources(app, declared)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    final_save = saved.save if saved else (lambda: None)
    threading.Thread(target=_exit_with_parent, args=(parent_pid, final_save), daemon=True).start()
    print(READY, flush=True)
    try:
        server.serve_forever()
    finally:
        final_save()


if __name__ == "__main__":
    main(sys.argv[1:])
