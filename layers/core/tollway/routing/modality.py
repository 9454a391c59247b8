"""What an `auto` request is asking for, read from its last user message.

    detect_modality({"messages": [{"role": "user", "content": "Draw a lighthouse at dusk"}]})   # "image"

"generate an image of…", "draw a…", "create a picture…" → image generation; "say…", "speak…",
"read aloud…", "narrate…" → speech; "generate a sound of…", "create a sound effect…", "make an
sfx…" → a sound effect; an `image_url` part → a vision model; anything else → text. The phrases
must open the request (after an optional please/can you), so a question that merely mentions
drawing or saying is not hijacked; only `auto` models are ever inspected.
"""

from __future__ import annotations

import re
from typing import Any, Literal

Modality = Literal["text", "vision", "image", "speech", "sound"]

_OPENING = r"^\s*(?:(?:please|pls|ok|okay|hey)[,!]?\s+)*(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
_MAKE = r"(?:generate|create|make|produce|render|paint|design)"
_A = r"(?:an?\s+|the\s+|some\s+|me\s+(?:an?\s+)?)?"

_RULES: tuple[tuple[Modality, re.Pattern[str]], ...] = (
    ("sound", re.compile(_OPENING + _MAKE + r"\s+" + _A + r"(?:sound\s+effects?|sfx|sounds?|noise)\b", re.I)),
    ("image", re.compile(_OPENING + _MAKE + r"\s+" + _A
                         + r"(?:images?|pictures?|photos?|illustrations?|drawings?|paintings?|logos?)\s+"
                         r"(?:of|showing|depicting|with|for)\b", re.I)),
    ("image", re.compile(_OPENING + r"(?:draw|sketch|illustrate)\s+(?:me\s+)?(?:an?|the|some|my|our)\b", re.I)),
    ("speech", re.compile(_OPENING + r"(?:say|speak|narrate|pronounce)\b(?![,?!])(?!\s+(?:that|what|why|how|if|no)\b)",
                          re.I)),
    ("speech", re.compile(_OPENING + r"read\b.{0,80}?\baloud\b", re.I | re.S)),
)


def last_user_message(body: dict[str, Any]) -> dict[str, Any] | None:
    for message in reversed(body.get("messages") or ()):
        if isinstance(message, dict) and message.get("role") == "user":
            return message
    return None


def _text_and_images(message: dict[str, Any]) -> tuple[str, bool]:
    content = message.get("content")
    if isinstance(content, str):
        return content, False
    parts = content if isinstance(content, list) else []
    text = " ".join(p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type") == "text")
    return text, any(isinstance(p, dict) and p.get("type") == "image_url" for p in parts)


def detect_modality(body: dict[str, Any]) -> Modality:
    message = last_user_message(body)
    if message is None:
        return "text"
    text, has_image = _text_and_images(message)
    if has_image:
        return "vision"
    for modality, pattern in _RULES:
        if pattern.search(text):
            return modality
    return "text"


def subject_of(body: dict[str, Any]) -> str:
    """The request with its command removed: the prompt for the image, speech or sound."""
    message = last_user_message(body)
    text = _text_and_images(message)[0] if message else ""
    stripped = re.sub(_OPENING + r"(?:" + _MAKE + r"\s+" + _A + r"(?:sound\s+effects?|sfx|sounds?|noise|images?|"
                      r"pictures?|photos?|illustrations?|drawings?|paintings?|logos?)\s+(?:of\s+)?"
                      r"|(?:say|speak|narrate|pronounce)\s*:?\s*|read\s+(?:this\s+|it\s+)?aloud\s*:?\s*)",
                      "", text, count=1, flags=re.I)
    return stripped.strip() or text.strip()
