"""The use cases, one module each, every one answering a `Reply` (JSON, SSE events or bytes).

    from tollway.endpoints import Caller, create_embeddings
    reply = await create_embeddings(Caller(api_key, request_id), {"model": "text-embedding-3-small", "input": "hi"})
    reply.headers["x-credits-used"], reply.body["usage"]

Each one validates the request, admits it (`ledger`), lets `routing` pick the models and `providers`
call them, settles, and replies; the HTTP edge (`http`) only reads the request and writes the Reply.
A use case's module is imported when its name is first used here, so a function imports only its own.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from tollway.auth.caller import Caller
from tollway.endpoints.reply import Reply

# Where each use case lives; its module is imported on first use (module __getattr__, PEP 562).
_MODULES = {
    "admin": ("create_invite", "create_key", "credit_account", "credit_key", "revoke_key", "show_account", "show_key"),
    "audio": ("create_speech", "create_speech_object", "generate_sound"),
    "chat": ("complete_chat",),
    "documents": ("chunk_document", "parse_document"),
    "embeddings": ("create_embeddings",),
    "files": ("USE_UPLOADS", "cancel_upload", "complete_upload", "create_file", "create_upload", "delete_file",
              "file_content", "list_files", "retrieve_file"),
    "image_analysis": ("analyze_image",),
    "images": ("create_variations", "edit_images", "generate_images"),
    "inference_chat": ("native_chat", "native_chat_stream"),
    "inference_media": ("native_embed", "native_images", "native_transcribe"),
    "messages": ("count_message_tokens", "create_message"),
    "models": ("list_models", "retrieve_model"),
    "moderations": ("moderate",),
    "providers": ("create_provider", "delete_provider", "list_inference_models", "list_providers", "show_provider",
                  "sync_models", "update_provider"),
    "operations": ("cancel_operation", "create_video", "retrieve_video", "show_operation", "start_job",
                   "start_upload_job", "video_content", "webhook_secret"),
    "realtime": ("create_realtime_session",),
    "rerank": ("create_rerank",),
    "responses": ("create_response",),
    "transcription": ("transcribe", "translate"),
    "usage": ("show_request", "show_usage"),
    "webhooks": ("delete_webhook", "list_webhooks", "register_webhook"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = ["Caller", "Reply", *_HOME]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
