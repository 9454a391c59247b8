"""One adapter per upstream, each implementing only the capabilities it has.

    from tollway.providers import provider_for
    provider = provider_for("openai")   # raises ProviderNotConfigured without credentials
    reply = await provider.chat(body)
"""

from tollway.providers.base import ChatProvider, ChatReply, ChatStream, Usage
from tollway.providers.registry import configured_providers, provider_for

__all__ = ["ChatProvider", "ChatReply", "ChatStream", "Usage", "configured_providers", "provider_for"]
