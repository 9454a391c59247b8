"""What tests of secret redaction need: a message that quotes a key across the gateway's message
limit, and every piece of a key that reached a text.

    message = quoting_across_the_cut(key)       # the 500th character falls inside the key
    assert pieces_found(key, response.text + logs) == []
"""

from __future__ import annotations

PIECE = 8  # any 8 characters of a key are too many to show
LIMIT = 500  # the gateway's cut of an upstream message


def quoting_across_the_cut(secret: str, limit: int = LIMIT) -> str:
    """An upstream error message in which `secret` straddles the `limit`-th character."""
    lead = "Incorrect API key provided: "
    filler = ("The request was refused. " * 40)[:limit - len(secret) // 2 - len(lead)]
    return filler + lead + secret + ". You can find your API key in your account settings."


def pieces_found(secret: str, text: str) -> list[str]:
    return [secret[i:i + PIECE] for i in range(len(secret) - PIECE + 1) if secret[i:i + PIECE] in text]
