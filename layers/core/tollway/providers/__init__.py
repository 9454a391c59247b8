"""One adapter per upstream, each implementing only the capabilities it has, found through one table
of provider types and instances (registry.py, instances.py).

    from tollway.providers import provider_for
    provider = provider_for("openai")   # raises ProviderNotConfigured without credentials
    reply = await provider.chat(body)
"""

from tollway.providers.base import ChatProvider, ChatReply, ChatStream, Usage
from tollway.providers.instances import ProviderInstance, instance
from tollway.providers.registry import adapter_for, configured_providers, job_upstream, provider_for

__all__ = ["ChatProvider", "ChatReply", "ChatStream", "ProviderInstance", "Usage", "adapter_for",
           "configured_providers", "instance", "job_upstream", "provider_for"]
