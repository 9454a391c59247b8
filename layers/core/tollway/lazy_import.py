"""Objects named by a string, "package.module:Name", imported when first asked for.

    imported("tollway.providers.gemini:GeminiProvider")     # the class; the module is imported now

Tables of adapters and operation kinds name their entries this way, so a function imports only
the modules of the entries it uses (cold start), and a table row is all that adding one takes.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any


@cache
def imported(target: str) -> Any:
    module, _, name = target.partition(":")
    if not module or not name:
        raise ValueError(f"{target!r} is not of the form 'package.module:Name'")
    return getattr(import_module(module), name)
