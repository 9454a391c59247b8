"""The `auto` models: the client names a quality tier and the gateway picks the model.

    AUTO_TIERS["auto-high"]            # "high"
    TEXT_PREFERENCES["high"]           # tried in order among the configured providers

Each tier lists models best-first; the first one whose provider is configured and that can take
the request answers, and the rest of the list becomes its fallback chain. `auto-ultra` answers
with the high tier and then refines its own draft in a second pass. Media tiers say which model
draws, speaks or makes the sound when the request asks for that instead of text.
"""

from __future__ import annotations

from tollway.catalog.spec import CHAT_DOCUMENTS, ModelSpec

AUTO_TIERS: dict[str, str] = {"auto-low": "low", "auto": "balanced", "auto-high": "high", "auto-ultra": "ultra"}

_LOW = ("gpt-4o-mini", "gemini-2.0-flash", "claude-haiku-3.5", "llama-3.1-8b-instant", "deepseek-v4-flash")
_BALANCED = ("gpt-4o-mini", "gemini-2.5-flash", "claude-haiku-3.5", "deepseek-v4-flash", "llama-3.3-70b-versatile")
_HIGH = ("gpt-4o", "claude-sonnet-4-20250514", "gemini-2.5-pro", "deepseek-v4-pro", "llama-3.3-70b-versatile")
# local/* last everywhere: with no provider configured at all, auto still answers (offline).
TEXT_PREFERENCES: dict[str, tuple[str, ...]] = {
    "low": (*_LOW, "local/echo"), "balanced": (*_BALANCED, "local/echo"),
    "high": (*_HIGH, "local/echo"), "ultra": (*_HIGH, "local/echo"),
}
_SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0"
MEDIA_PREFERENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "image": {"low": (_SDXL, "dall-e-2", "gpt-image-1", "local/image"),
              "balanced": ("gpt-image-1", "dall-e-3", _SDXL, "local/image"),
              "high": ("gpt-image-1", "dall-e-3", _SDXL, "local/image"),
              "ultra": ("gpt-image-1", "dall-e-3", _SDXL, "local/image")},
    "speech": {"low": ("tts-1", "eleven_flash_v2_5", "local/speech"),
               "balanced": ("gpt-4o-mini-tts", "tts-1", "eleven_turbo_v2_5", "local/speech"),
               "high": ("tts-1-hd", "eleven_multilingual_v2", "gpt-4o-mini-tts", "local/speech"),
               "ultra": ("eleven_multilingual_v2", "tts-1-hd", "gpt-4o-mini-tts", "local/speech")},
    "sound": {tier: ("eleven_text_to_sound_v2", "local/sound") for tier in ("low", "balanced", "high", "ultra")},
}

# Listed in /v1/models so clients can discover them; answered by endpoints/auto.py, never by a provider.
ENTRIES: tuple[ModelSpec, ...] = tuple(
    ModelSpec(name, "auto", input_price=0, output_price=0, capabilities=CHAT_DOCUMENTS | {"audio"},
              input_modalities=("text", "image", "file", "audio"), output_modalities=("text", "image", "audio"))
    for name in AUTO_TIERS
)
PATTERNS: tuple[tuple[str, str], ...] = ()
