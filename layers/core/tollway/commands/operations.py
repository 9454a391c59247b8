"""`tollway operations wait ID`: follow an operation to its end with a progress bar; exit 0 when it
succeeded (printing its result URL), 1 when it failed or was cancelled, 2 when the wait timed out."""

from __future__ import annotations

import sys
import time

from tollway.commands import credentials
from tollway.commands.remote import call

TERMINAL = {"succeeded", "failed", "cancelled"}


def wait(url_option: str | None, operation_id: str, timeout_s: float, interval_s: float) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    url, key = credentials.current(url_option)
    deadline = time.monotonic() + timeout_s
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(operation_id, total=100, status="…")
        while True:
            op = call("GET", f"{url}/v1/operations/{operation_id}", key=key)
            shown = op.get("progress")
            progress.update(task, completed=100 if op["status"] == "succeeded" else (shown or 0), status=op["status"])
            if op["status"] in TERMINAL:
                break
            if time.monotonic() > deadline:
                progress.stop()
                print(f"error: {operation_id} is still {op['status']} after {timeout_s:g} s", file=sys.stderr)
                sys.exit(2)
            time.sleep(interval_s)
    if op["status"] == "succeeded":
        print((op.get("result") or {}).get("url") or "succeeded")
        return
    error = op.get("error") or {}
    print(f"{op['status']}: {error.get('message') or error.get('code') or ''}".rstrip(": "), file=sys.stderr)
    sys.exit(1)
