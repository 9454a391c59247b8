"""Change the gateway's environment for one test or one folder, and put it back afterwards.

    with changed_environment(DEEPSEEK_BASE_URL=fake.base_url, TOLLWAY_RETRY_ATTEMPTS="2"):
        ...   # the in-process gateway reads the new settings and provider configuration

Settings, provider adapters (and their pooled clients), declared upstreams and circuit breakers
are all cached per process: each is reset on the way in and on the way out. `None` unsets a name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def _reset_caches() -> None:
    from tollway import config
    from tollway.providers import registry
    from tollway.routing import breaker

    config.reset_for_tests()
    registry.reset()
    breaker.breakers.cache_clear()


@contextmanager
def changed_environment(**env: str | None) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _reset_caches()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _reset_caches()
