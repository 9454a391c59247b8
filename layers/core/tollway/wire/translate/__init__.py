"""Translations between the OpenAI Chat Completions, Anthropic Messages and Gemini wire formats.

Pure functions on JSON bodies (plain dicts) and small stateful stream translators; nothing here
does I/O. Requests:

    messages_request_from_chat(chat_body) -> MessagesRequest     # OpenAI → Anthropic (claude-*)
    chat_request_from_messages(messages_body) -> dict            # Anthropic → OpenAI (/v1/messages)
    gemini_request_from_chat(chat_body) -> dict                  # OpenAI → Gemini (gemini-*)

Replies:

    completion_from_message(message, structured_tool=...)         # Anthropic Message → ChatCompletion
    message_from_completion(completion, thinking=...)             # ChatCompletion → Anthropic Message
    completion_from_gemini(response, model=...)                   # Gemini → ChatCompletion

Streams (feed() each upstream event, then finish(); both return what to send on):

    MessageStreamToChunks     Anthropic SSE events → chat.completion.chunk dicts
    ChunksToMessageEvents     chat.completion.chunk dicts → Anthropic (event, data) pairs
    GeminiStreamToChunks      Gemini streamGenerateContent responses → chat.completion.chunk dicts

Bad client input raises tollway.errors.InvalidRequest with `param`; a broken upstream answer
raises tollway.errors.UpstreamError.
"""

from tollway.wire.translate.chat_to_gemini import gemini_request_from_chat, generate_content_path
from tollway.wire.translate.chat_to_messages import MessagesRequest, messages_request_from_chat
from tollway.wire.translate.chunk_stream import ChunksToMessageEvents
from tollway.wire.translate.completion_to_message import message_from_completion
from tollway.wire.translate.gemini_to_completion import GeminiStreamToChunks, completion_from_gemini
from tollway.wire.translate.message_stream import MessageStreamToChunks
from tollway.wire.translate.message_to_completion import completion_from_message
from tollway.wire.translate.messages_to_chat import chat_request_from_messages

__all__ = [
    "ChunksToMessageEvents",
    "GeminiStreamToChunks",
    "MessageStreamToChunks",
    "MessagesRequest",
    "chat_request_from_messages",
    "completion_from_gemini",
    "completion_from_message",
    "gemini_request_from_chat",
    "generate_content_path",
    "message_from_completion",
    "messages_request_from_chat",
]
