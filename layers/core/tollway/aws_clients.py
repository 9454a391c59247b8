"""boto3 clients, created once per process and reused (each keeps its own connection pool).

boto3 is imported lazily: a function that never touches AWS on a request never pays for it.
`AWS_ENDPOINT_URL` (which boto3 reads itself) is how `tollway serve` and the tests point every
client at the embedded emulator, and `before_first_client` how `tollway serve` creates what only
one service needs (the state machines) when that service is first used rather than at start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_clients: dict[str, Any] = {}
_preparations: dict[str, Callable[[], None]] = {}
_lock = threading.Lock()


def before_first_client(service: str, prepare: Callable[[], None]) -> None:
    """Run `prepare` once, before the first client of `service` is handed out. If it raises, that
    call raises and the next one runs it again."""
    with _lock:
        _preparations[service] = prepare


def client(service: str) -> Any:
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        found = _clients.get(service)
        if found is None:
            prepare = _preparations.get(service)
            if prepare is not None:
                prepare()
                del _preparations[service]
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=2,
                read_timeout=5,
                retries={"mode": "standard", "max_attempts": 3},
                # The local server runs many requests in one process; Lambda runs one at a time.
                max_pool_connections=64,
                # Presigned S3 URLs must be SigV4: buckets made since 2020 refuse SigV2 signatures.
                signature_version="s3v4" if service == "s3" else None,
            )
            found = boto3.session.Session().client(service, config=config)
            _clients[service] = found
        return found


def reset() -> None:
    """Forget every client (tests that change the endpoint between runs)."""
    with _lock:
        _clients.clear()
