"""Speech voices by name, mapped to what each provider calls them.

    voice_for("elevenlabs", "Adam")    # "pNInz6obpgDQGcFmaJgB": ElevenLabs' premade voice
    voice_for("elevenlabs", "alloy")   # "21m00Tcm4TlvDq8ikWAM": OpenAI's names map to similar voices
    voice_for("openai", "rachel")      # "alloy": and ElevenLabs' names to OpenAI's
    voice_for("openai", "robot")       # InvalidRequest (400, param voice) listing the valid names

Older clients name ElevenLabs' premade voices (`adam`, `rachel`, …) whatever the model; each name
goes to the provider's own voice of a similar character. On ElevenLabs a voice id (20 letters
and digits: a cloned or library voice of the operator's account) is taken as it is; anything else
that is not a known name is a 400 before anything is reserved, never a path sent upstream.
"""

from __future__ import annotations

import re

from tollway.errors import InvalidRequest
from tollway.providers.instances import instance

RACHEL = "21m00Tcm4TlvDq8ikWAM"
ELEVENLABS_PREMADE = {"rachel": RACHEL, "adam": "pNInz6obpgDQGcFmaJgB", "antoni": "ErXwobaYiR019PkySvjV",
                      "bella": "EXAVITQu4vr4xnSDxMaL", "domi": "AZnzlk1XvdvUeBnXmlld", "elli": "MF3mGyEYCl7XYWbV9V6O",
                      "josh": "TxGEqnHWrfWFTfGW9XjX", "arnold": "VR6AewLTigWG4xSOukaG", "sam": "yoZ06aMxZJJ28mfd3POQ"}
OPENAI_VOICES = ("alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage",
                 "shimmer", "verse")
# ElevenLabs' premade names → the OpenAI voice of a similar character.
AS_OPENAI = {"rachel": "alloy", "adam": "onyx", "antoni": "fable", "bella": "nova", "domi": "coral",
             "elli": "shimmer", "josh": "echo", "arnold": "ash", "sam": "verse"}
# OpenAI's names → premade ElevenLabs voices (the names without one get Rachel).
AS_ELEVENLABS = {"alloy": RACHEL, "echo": "TxGEqnHWrfWFTfGW9XjX", "onyx": "pNInz6obpgDQGcFmaJgB",
                 "nova": "EXAVITQu4vr4xnAQ5fOp", "shimmer": "MF3mGyEYCl7XYWbV9V6O", "fable": "ErXwobaYiN019PkySvjV"}
_VOICE_ID = re.compile(r"[A-Za-z0-9]{20}")


def voice_for(provider: str, voice: str) -> str:
    """`voice` as `provider` names it; a 400 naming `voice` and the valid names if it has none."""
    found = instance(provider)
    kind = found.type if found is not None else None
    name = voice.strip().lower()
    if kind == "elevenlabs":
        if name in ELEVENLABS_PREMADE:
            return ELEVENLABS_PREMADE[name]
        if name in OPENAI_VOICES:
            return AS_ELEVENLABS.get(name, RACHEL)
        if _VOICE_ID.fullmatch(voice):
            return voice
        raise _unknown(voice, (*ELEVENLABS_PREMADE, *OPENAI_VOICES), "or an ElevenLabs voice id")
    if kind == "openai":
        if name in OPENAI_VOICES:
            return name
        if name in AS_OPENAI:
            return AS_OPENAI[name]
        raise _unknown(voice, (*OPENAI_VOICES, *ELEVENLABS_PREMADE))
    if kind == "local":
        if name in OPENAI_VOICES or name in ELEVENLABS_PREMADE:
            return name
        raise _unknown(voice, (*OPENAI_VOICES, *ELEVENLABS_PREMADE))
    return voice  # a provider whose voices the gateway does not know: its own to judge


def _unknown(voice: str, names: tuple[str, ...], also: str = "") -> InvalidRequest:
    shown = voice if len(voice) <= 64 else voice[:64] + "…"
    return InvalidRequest(f"voice: {shown!r} is not a voice of this model; use one of {', '.join(sorted(names))}"
                          + (f" {also}" if also else ""), code="unknown_voice", param="voice")
