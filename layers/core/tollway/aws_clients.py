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
_session: Any = None  # one boto3 session for every client: each service's model is loaded and kept once
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
            found = _shared_session(boto3).client(service, config=config)
            _clients[service] = found
        return found


def dedicated_client(service: str, purpose: str, **config: Any) -> Any:
    """A client of its own for `purpose` (another timeout or retry policy than the request path's),
    made from the same session, so the service's model is not loaded and kept a second time."""
    name = f"{service}#{purpose}"
    found = _clients.get(name)
    if found is not None:
        return found
    with _lock:
        found = _clients.get(name)
        if found is None:
            import boto3
            from botocore.config import Config

            found = _shared_session(boto3).client(service, config=Config(**config))
            _clients[name] = found
        return found


def _shared_session(boto3: Any) -> Any:
    """Called under _lock: boto3 sessions are not safe to make clients from concurrently."""
    global _session
    if _session is None:
        _session = boto3.session.Session()
    return _session


def reset() -> None:
    """Forget every client (tests that change the endpoint between runs)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
