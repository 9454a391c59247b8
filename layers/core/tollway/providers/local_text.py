"""The offline text models' arithmetic: hashed embeddings, lexical rerank scores, keyword moderation.

    vector("a red fox", 256)                     # unit length, the same on every run and machine
    overlap("red fox", "the quick red fox")      # 1.0: every query word is in the document
    flagged_categories("I will kill you")        # {"violence", "harassment/threatening"}

Embeddings are the hashing trick over words and character trigrams (blake2b picks the bucket and
the sign), L2-normalised: texts that share words or spellings point the same way, so cosine
similarity means something, as it would with a learned model. Nothing here is a learned model:
moderation is a short keyword list, which flags the obvious and misses the subtle.
"""

from __future__ import annotations

import hashlib
import math
import re

NATIVE_DIMENSIONS = 256
_WORD = re.compile(r"\w+", re.UNICODE)

# category → words that flag it (matched as whole, lowercased words).
KEYWORDS: dict[str, frozenset[str]] = {
    "harassment": frozenset({"idiot", "stupid", "loser", "moron", "worthless"}),
    "harassment/threatening": frozenset({"kill you", "hurt you", "find you", "destroy you"}),
    "hate": frozenset({"subhuman", "vermin", "inferior race"}),
    "hate/threatening": frozenset({"exterminate them", "wipe them out"}),
    "illicit": frozenset({"cocaine", "heroin", "meth", "counterfeit", "launder"}),
    "illicit/violent": frozenset({"bomb", "explosive", "detonator", "pipe bomb"}),
    "self-harm": frozenset({"suicide", "self harm", "cut myself"}),
    "self-harm/intent": frozenset({"kill myself", "end my life", "want to die"}),
    "self-harm/instructions": frozenset({"how to kill myself", "ways to die"}),
    "sexual": frozenset({"porn", "nude", "nudes", "explicit sex"}),
    "sexual/minors": frozenset({"child porn"}),
    "violence": frozenset({"kill", "murder", "stab", "shoot", "behead", "torture"}),
    "violence/graphic": frozenset({"gore", "dismember", "mutilate", "entrails"}),
}
CATEGORIES: tuple[str, ...] = tuple(KEYWORDS)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _features(text: str) -> list[str]:
    found = [f"w:{w}" for w in words(text)]
    padded = f" {' '.join(text.lower().split())} "
    found += [f"c:{padded[i:i + 3]}" for i in range(max(len(padded) - 2, 0))]
    return found or [f"c:{text}"]


def vector(item: str | list[int], dimensions: int = NATIVE_DIMENSIONS) -> list[float]:
    """A unit vector for a text (or a token array), deterministic across runs and machines."""
    features = _features(item) if isinstance(item, str) else [f"t:{token}" for token in item]
    values = [0.0] * dimensions
    for feature in features:
        digest = hashlib.blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        bucket = int.from_bytes(digest[:4], "little") % dimensions
        values[bucket] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in values))
    if norm == 0:  # features that cancelled out exactly: still a unit vector, still deterministic
        values[int.from_bytes(hashlib.blake2b(repr(item).encode(), digest_size=4).digest(), "little") % dimensions] = 1.0
        return values
    return [v / norm for v in values]


def overlap(query: str, document: str) -> float:
    """The share of the query's distinct words found in the document, nudged by how dense they are
    there (so of two documents holding every query word, the one that is more about them wins)."""
    asked = set(words(query))
    if not asked:
        return 0.0
    present = words(document)
    if not present:
        return 0.0
    hits = sum(1 for word in present if word in asked)
    coverage = len(asked & set(present)) / len(asked)
    return round(0.9 * coverage + 0.1 * hits / len(present), 6)


def flagged_categories(text: str) -> set[str]:
    said = " " + " ".join(words(text)) + " "
    return {category for category, phrases in KEYWORDS.items() if any(f" {p} " in said for p in phrases)}
