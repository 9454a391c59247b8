"""POST /v1/chat/completions: an `auto` model is decided first (endpoints/auto.py picks the model
and the modality), any other model is answered as named (endpoints/completion.py).

    reply = await complete_chat(caller, {"model": "auto-high", "messages": [...]})
    reply = await complete_chat(caller, {"model": "gpt-4o", "quality": "ultra", "messages": [...]})

Deciding here, before either use case runs, keeps them apart: auto calls the named-model use case
with the model it picked, and nothing calls back.
"""

from __future__ import annotations

from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog.auto_models import AUTO_TIERS
from tollway.endpoints.completion import complete
from tollway.endpoints.reply import Reply
from tollway.routing.quality import refines, with_quality


async def complete_chat(caller: Caller, raw: dict[str, Any]) -> Reply:
    if "quality" in raw:
        caller.ref  # a malformed key is a 401 before a bad quality is a 400
        raw = with_quality(raw)
    model = raw.get("model")
    if isinstance(model, str) and model in AUTO_TIERS:
        from tollway.endpoints.auto import complete_auto  # on first use: most requests name their model

        return await complete_auto(caller, raw)
    if refines(raw):
        from tollway.endpoints.auto import refined

        reply = await refined(caller, raw)
        reply.headers["x-quality-passes"] = reply.headers.pop("x-auto-passes", "1")
        return reply
    return await complete(caller, raw)
