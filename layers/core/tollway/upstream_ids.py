"""What an id may look like where the gateway puts it in an upstream URL path: a model, a voice, a
job id an upstream returned. Segments of letters, digits and `. _ - @ :`, joined by `/` where the id
has a namespace (`@cf/stabilityai/stable-diffusion-xl-base-1.0`, `acme/clip-maker:5c7d`), and never
a `.` or `..` segment.

    id_problem("gemini-embedding-001")                   # None: fine
    id_problem("@cf/../../zones/z", namespaced=True)     # "contains a '.' or '..' segment"
    encode_id("@cf/meta/llama-3", namespaced=True)       # each segment percent-encoded, `/` kept

Everything else (`?`, `#`, `%`, `\\`, spaces, empty segments) is refused rather than escaped: one
check then holds however an upstream decodes its paths, `%2e%2e` and `%2f` included.
"""

from __future__ import annotations

import re
from urllib.parse import quote

SEGMENT = re.compile(r"[A-Za-z0-9._@:-]+")
MAX_LENGTH = 512
DOT_SEGMENTS = frozenset({".", ".."})


def id_problem(value: object, *, namespaced: bool = False) -> str | None:
    """Why `value` cannot be put in an upstream path (a phrase to follow the param's name), or None."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    for segment in value.split("/") if namespaced else (value,):
        if not segment:
            return "must not have an empty path segment"
        if segment in DOT_SEGMENTS:
            return "must not contain a '.' or '..' path segment"
        if SEGMENT.fullmatch(segment) is None:
            allowed = "letters, digits and . _ - @ :" + (", with / between names" if namespaced else "")
            return f"may contain only {allowed}"
    return None


def is_id(value: object, *, namespaced: bool = False) -> bool:
    return id_problem(value, namespaced=namespaced) is None


def encode_id(value: str, *, namespaced: bool = False) -> str:
    """A valid id as it goes in a path (only the grammar's characters remain, so this is belt and braces)."""
    return "/".join(quote(segment, safe="@:") for segment in (value.split("/") if namespaced else (value,)))
