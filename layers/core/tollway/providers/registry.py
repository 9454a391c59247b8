"""Provider name → adapter, through one table: each provider *type* names its adapter classes
("module:Class", imported on first use), each provider *instance* (providers/instances.py) has a
type. Adding a provider touches its adapter module, one row here (or none: a new instance of a
known type) and the catalog.

    provider_for("openai")                      # the chat adapter
    adapter_for("workers_ai", IMAGE_GENERATION) # the adapter of a provider that has this capability
    adapter_for("workers_ai", IMAGE_EDITS)      # NotImplementedYet (501): Workers AI has no image edits
    adapter_for("elevenlabs", SOUND)            # ProviderNotConfigured (503) without ELEVENLABS_API_KEY
    job_upstream("video", "replicate")          # ProviderNotConfigured (503) without REPLICATE_API_TOKEN/BASE_URL

Every adapter class is made with its instance: `OpenAIMedia(instance("openai"))`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from tollway.catalog.custom_upstreams import custom_upstreams
from tollway.errors import InvalidRequest, NotImplementedYet, ProviderNotConfigured
from tollway.lazy_import import imported
from tollway.providers.base import ChatProvider
from tollway.providers.instances import ProviderInstance, instance, instances

if TYPE_CHECKING:  # the media and job protocols are imported by the functions that use them, not by every one
    from tollway.providers.jobs import JobUpstream
    from tollway.providers.media_base import Capability

C = TypeVar("C")


@dataclass(frozen=True)
class ProviderType:
    """A kind of upstream: its adapter classes, each "module:Class" made with the instance."""

    chat: str | None = None  # OpenAI Chat Completions in and out (ChatProvider)
    media: tuple[str, ...] = ()  # everything else served in the request (media_base's protocols)
    jobs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)  # kind → JobUpstream


OPENAI_CHAT = "tollway.providers.openai_compatible:OpenAICompatibleProvider"
REPLICATE = "tollway.providers.replicate:Replicate"

TYPES: Mapping[str, ProviderType] = MappingProxyType({
    "openai": ProviderType("tollway.providers.openai_responses:OpenAIProvider",
                           ("tollway.providers.openai_media:OpenAIMedia", "tollway.providers.openai_realtime:OpenAIRealtime"),
                           MappingProxyType({"video": "tollway.providers.openai_videos:OpenAIVideos"})),
    "openai-compatible": ProviderType(OPENAI_CHAT),
    "groq": ProviderType(OPENAI_CHAT, ("tollway.providers.openai_media:OpenAITranscriber",)),
    "anthropic": ProviderType("tollway.providers.anthropic:AnthropicProvider"),
    "gemini": ProviderType("tollway.providers.gemini:GeminiProvider",
                           ("tollway.providers.gemini_embeddings:GeminiEmbeddings",)),
    "local": ProviderType("tollway.providers.local_echo:LocalEchoProvider",
                          ("tollway.providers.local_media:LocalMedia",)),
    "workers-ai": ProviderType("tollway.providers.workers_ai_chat:WorkersAIChat",
                               ("tollway.providers.workers_ai:WorkersAI",)),
    "elevenlabs": ProviderType(media=("tollway.providers.elevenlabs:ElevenLabs",),
                               jobs=MappingProxyType({"music": "tollway.providers.elevenlabs_music:ElevenLabsMusic"})),
    "cohere-rerank": ProviderType(media=("tollway.providers.rerank:CohereCompatibleReranker",)),
    "replicate": ProviderType(jobs=MappingProxyType({"video": REPLICATE, "music": REPLICATE})),
})


# Adapters are kept per instance, not per name: a registered provider changed at run time (its URL,
# its key's variable) gets new adapters on its next request.
def _chat(name: str) -> ChatProvider | None:
    found = instance(name)
    return _chat_of(found) if found is not None else None


def _media(name: str) -> tuple[Any, ...]:
    """A provider's adapters for everything but chat (imported only when asked for)."""
    found = instance(name)
    return _media_of(found) if found is not None else ()


@cache
def _chat_of(found: ProviderInstance) -> ChatProvider | None:
    target = TYPES[found.type].chat
    return imported(target)(found) if target is not None else None  # type: ignore[no-any-return]


@cache
def _media_of(found: ProviderInstance) -> tuple[Any, ...]:
    return tuple(imported(target)(found) for target in TYPES[found.type].media)


def provider_for(name: str) -> ChatProvider:
    if name == "auto":  # endpoints/auto.py picks a real model first; anything else reaching here is misrouted
        raise InvalidRequest("The auto models answer on POST /v1/chat/completions only", param="model")
    adapter = _chat(name)
    if adapter is None:
        raise ProviderNotConfigured(f"no adapter for provider {name!r}")
    return _configured(name, adapter)


def adapter_for(name: str, capability: Capability[C]) -> C:
    """The adapter serving `capability` (one of media_base's) for provider `name`."""
    adapters = _media(name)
    found = next((c for c in map(capability.of, adapters) if c is not None), None)
    if found is None:
        if not adapters and _chat(name) is None:
            raise ProviderNotConfigured(f"no adapter for provider {name!r}")
        raise NotImplementedYet(f"provider {name!r} does not offer {capability.description}")
    return _configured(name, found)


def job_upstream(kind: str, provider: str) -> JobUpstream:
    """The upstream that runs `kind` jobs for `provider`, made afresh for each job step."""
    found = instance(provider)
    target = TYPES[found.type].jobs.get(kind) if found is not None else None
    if target is None:
        raise ProviderNotConfigured(f"provider {provider!r} cannot run {kind} jobs")
    upstream: JobUpstream = imported(target)(found)
    return _configured(provider, upstream)


def _configured(name: str, adapter: Any) -> Any:
    if not adapter.configured():
        raise ProviderNotConfigured(
            f"provider {name!r} is not configured: the operator must set its API key or base URL")
    return adapter


def configured_providers() -> set[str]:
    """The providers that can answer now: a chat or media adapter of theirs is configured."""
    from tollway.catalog.provider_registry import snapshot

    names = [*instances(), *snapshot().by_name]
    usable = {name for name in names
              if ((chat := _chat(name)) is not None and chat.configured()) or any(a.configured() for a in _media(name))}
    return usable | {"auto"}  # the auto models always answer: at worst with local/echo


def reset() -> None:
    """Forget adapters (and their pooled clients) and declared upstreams: tests that change settings."""
    _chat_of.cache_clear()
    _media_of.cache_clear()
    instances.cache_clear()
    custom_upstreams.cache_clear()
