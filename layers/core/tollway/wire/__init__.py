"""Pydantic models of the public wire formats and the translations between them.

    openai_chat          the Chat Completions request as /v1/chat/completions validates it
    anthropic_messages   the Messages request as /v1/messages validates it; Anthropic-shaped errors
    translate            OpenAI chat ↔ Anthropic messages, OpenAI chat → Gemini: requests, replies, streams
    sse                  reading event streams from raw bytes, writing ours
    validation           pydantic errors as a 400 naming the `param`
"""
