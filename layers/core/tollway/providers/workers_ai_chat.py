"""Workers AI's chat models (`workers-ai:llama-3.1-8b-instruct`) through its OpenAI-compatible API.

    provider = WorkersAIChat(instance("workers_ai"))   # CF_ACCOUNT_ID, CF_API_TOKEN, CF_BASE_URL
    await provider.chat({"model": "@cf/meta/llama-3.1-8b-instruct", "messages": [...]})

`POST {base}/accounts/{account}/ai/v1/chat/completions` speaks Chat Completions (streams included),
so only the path differs from any OpenAI-compatible server: the account is part of it, checked by the
same id grammar as every value put in an upstream path.
"""

from __future__ import annotations

from tollway.config import secret
from tollway.providers.instances import ProviderInstance
from tollway.providers.openai_compatible import OpenAICompatibleProvider
from tollway.providers.upstream_paths import UpstreamPath
from tollway.upstream_ids import is_id


class WorkersAIChat(OpenAICompatibleProvider):
    def __init__(self, instance: ProviderInstance) -> None:
        super().__init__(instance)
        self._account_env = instance.extra["account_env"]

    def configured(self) -> bool:
        return is_id(secret(self._account_env)) and super().configured()

    def chat_path(self) -> UpstreamPath:
        return self.path("/accounts/{account}/ai/v1/chat/completions", account=str(secret(self._account_env)))
