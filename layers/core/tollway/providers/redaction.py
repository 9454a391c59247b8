"""Secrets kept out of any text an upstream wrote before it reaches a client, a record or a log line.

    message = clipped(provider_text)        # redacted first, then cut to 500 characters
    redact("key sk_3f9a…")                  # any configured secret, and anything credential-shaped

Every secret the gateway holds is redacted by value, wherever it appears: whole, or a piece of 8 or
more characters at its start or its end (what survives when someone, the provider or we, cut a
message in the middle of a key). The values are: environment variables named like credentials
(`*_API_KEY`, `*_API_TOKEN`, `*_SECRET`, `*_TOKEN`, `*_KEY`, `CF_ACCOUNT_ID`, which covers the admin key
and TOLLWAY_WEBHOOK_SECRET), the key variables of declared upstreams, and every value of the
provider secret in Secrets Manager but base URLs and upstream declarations. Redaction happens before
any cut, so a cut can never turn a recognisable key into an unrecognisable half.
"""

from __future__ import annotations

import os
import re

from tollway.config import stored_secrets

MAX_MESSAGE = 500
REDACTED = "[redacted]"
PIECE = 8  # the shortest piece of a secret that is redacted on its own
_MIN_SECRET = PIECE  # shorter values are no real credential (and would redact ordinary words: "testing")
_SCAN = 16_384  # a message is read no further than this (it is cut to MAX_MESSAGE anyway)
_SECRET_NAME = re.compile(r"(?:_API_KEY|_API_TOKEN|_SECRET|_TOKEN|_KEY|_PASSWORD)$|^CF_ACCOUNT_ID$")
_NOT_SECRET = re.compile(r"_BASE_URL$|^TOLLWAY_UPSTREAMS(?:_FILE)?$")

# Credential-shaped text, whoever's it is: the key formats of the providers the gateway speaks to
# (OpenAI/DeepSeek sk-, Anthropic sk-ant-, ElevenLabs sk_, Groq gsk_, Replicate r8_, Voyage pa-,
# Jina jina_, xAI xai-, Google AIza… and ya29. tokens, webhook whsec_), bearer tokens, labelled values
# (`api_key: …`, `?key=…`) and long random tokens (Cohere's keys have no prefix): 32+ letters and
# digits of both cases, which hyphenated model names are not.
_PREFIXED = re.compile(r"(?i)\b(?:sk-ant-[\w-]{6,}|sk-[\w*-]{6,}|sk_[\w*]{6,}|gsk_\w{6,}|r8_\w{6,}|pa-[\w-]{16,}"
                       r"|jina_\w{16,}|xai-[\w-]{16,}|whsec_\w{6,}|AIza[\w-]{10,}|ya29\.[\w.-]{8,})"
                       r"|\bbearer\s+\S+")
_LABELLED = re.compile(r"(?i)(?P<label>(?<![\w-])(?:x-api-key|xi-api-key|x-goog-api-key|api[_-]?key|api[_-]?token"
                       r"|access[_-]?token|auth[_-]?token|secret|password)[\"']?\s*[:=]\s*[\"']?"
                       r"|[?&](?:key|api_key|token)=)[^\s\"',;&]{6,}")
_RANDOM = re.compile(r"(?<![\w-])(?=\w*[A-Z])(?=\w*[a-z])(?=\w*[0-9])[A-Za-z0-9_]{32,}(?![\w-])")


def configured_secrets() -> set[str]:
    """Every credential value this process holds (see the module docstring)."""
    names = set(_declared_key_names())
    values = {value for name, value in os.environ.items() if _SECRET_NAME.search(name) or name in names}
    values |= {value for name, value in stored_secrets().items() if not _NOT_SECRET.search(name)}
    return {value for value in values if len(value) >= _MIN_SECRET}


def _declared_key_names() -> list[str]:
    from tollway.catalog.custom_upstreams import UpstreamsConfigError, custom_upstreams

    try:
        return [u.api_key_env for u in custom_upstreams() if u.api_key_env]
    except (UpstreamsConfigError, OSError):
        return []  # a broken declaration fails its own requests; redaction still covers the rest


def redact(text: str, *secrets: str | None) -> str:
    """`text` without the configured secrets, the given ones, or anything credential-shaped."""
    known = configured_secrets() | {s for s in secrets if s and len(s) >= _MIN_SECRET}
    text = _without_secrets(text, known)
    text = _PREFIXED.sub(REDACTED, text)
    text = _LABELLED.sub(lambda m: m["label"] + REDACTED, text)
    return _RANDOM.sub(REDACTED, text)


def clipped(text: str, *secrets: str | None, limit: int = MAX_MESSAGE) -> str:
    """`text` redacted, then cut to `limit` characters (in that order: see the module docstring)."""
    return redact(text[:_SCAN], *secrets)[:limit]


def _without_secrets(text: str, secrets: set[str]) -> str:
    spans = [span for secret in secrets for span in _pieces(text, secret)]
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    at = 0
    for start, end in merged:
        out += [text[at:start], REDACTED]
        at = end
    return "".join(out) + text[at:]


def _pieces(text: str, secret: str) -> list[tuple[int, int]]:
    """Where `text` holds the secret's start (8+ characters, as long as it goes on) or its end."""
    found: list[tuple[int, int]] = []
    head, tail = secret[:PIECE], secret[-PIECE:]
    at = text.find(head)
    while at != -1:
        length = PIECE
        while length < len(secret) and at + length < len(text) and text[at + length] == secret[length]:
            length += 1
        found.append((at, at + length))
        at = text.find(head, at + 1)
    at = text.find(tail)
    while at != -1:
        end, length = at + PIECE, PIECE
        while length < len(secret) and end - length > 0 and text[end - length - 1] == secret[-length - 1]:
            length += 1
        found.append((end - length, end))
        at = text.find(tail, at + 1)
    return found
