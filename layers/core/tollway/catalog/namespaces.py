"""Model names with a provider in front: `opencode/<model>` (OpenCode's OpenAI-compatible gateway,
OPENCODE_BASE_URL and OPENCODE_API_KEY) and `<registered provider>/<model>` (providers registered
through /api/v1/inference/providers). The part after the slash is what the upstream is sent.

    namespaced_spec("opencode/kimi-k2", "chat")   # ModelSpec(provider="opencode", upstream_id="kimi-k2")
    namespaced_spec("my-vllm/llama3", "chat")     # the registered provider's, at its price (or a 400)
"""

from __future__ import annotations

from tollway.catalog.provider_registry import registered_spec
from tollway.catalog.spec import Kind, ModelSpec
from tollway.upstream_ids import is_id

OPENCODE = "opencode"


def namespaced_spec(model: str, kind: Kind) -> ModelSpec | None:
    name, _, rest = model.partition("/")
    if not rest or not is_id(rest, namespaced=True):
        return None
    if name == OPENCODE:
        # Unlisted like any pattern's model: served at the default chat price until it is listed.
        return ModelSpec(model, OPENCODE, upstream_id=rest, listed=False) if kind == "chat" else None
    return registered_spec(model, kind)
