"""Every model the gateway lists, by id: the entries of the chat, media, job and auto catalogs.

    CATALOG["gpt-4o-mini"].cost(1_000, 200)
"""

from __future__ import annotations

from tollway.catalog import auto_models, chat_models, job_models, media_models
from tollway.catalog.spec import ModelSpec

MODULES = (chat_models, media_models, job_models, auto_models)

CATALOG: dict[str, ModelSpec] = {spec.id: spec for module in MODULES for spec in module.ENTRIES}
