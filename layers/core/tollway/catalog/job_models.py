"""Models that run as operations (video, music) and the gateway's own document services, with
their unit prices.

    resolve("sora-2", "video").unit_cost(8)               # 8 seconds of video, in micro-credits
    resolve("replicate/acme/clip-maker", "video").unit     # "video": one price per prediction

Prices (credits): OpenAI bills Sora per second of video and ElevenLabs music per length, so those
are per second (known before the job starts, so the reservation is exact); a Replicate-style model
has no length the gateway can know, so it is priced per prediction. Parsing a document costs per
page (a PDF page, or 3,000 characters of text where a format has no pages); chunking per input
token.
"""

from __future__ import annotations

from tollway.catalog.spec import ModelSpec, per_unit

_VIDEO, _AUDIO = ("video",), ("audio",)

ENTRIES: tuple[ModelSpec, ...] = (
    per_unit("sora-2", "openai", "video", "1", "second", output_modalities=_VIDEO),
    per_unit("sora-2-pro", "openai", "video", "3", "second", output_modalities=_VIDEO),
    per_unit("music_v1", "elevenlabs", "music", "0.05", "second", output_modalities=_AUDIO),
    # The gateway's own services: priced here, never listed in /v1/models.
    per_unit("local/document-parse", "local", "document", "0.01", "page", listed=False,
             input_modalities=("file",)),
    # Chunking is priced per input token (estimated from the text: 4 bytes a token, as for prompts):
    # 0.000001 credits, one micro-credit, a token — a 100k-token book costs 0.1 credits.
    ModelSpec("local/document-chunk", "local", input_price=1, output_price=0, kind="document",
              capabilities=frozenset({"document"}), listed=False),
)

# First match wins: the pro snapshots before the plain ones.
PATTERNS: tuple[tuple[str, ModelSpec], ...] = (
    ("sora-2-pro*", per_unit("sora-2-pro*", "openai", "video", "3", "second", output_modalities=_VIDEO)),
    ("sora-2*", per_unit("sora-2*", "openai", "video", "1", "second", output_modalities=_VIDEO)),
    ("music_v*", per_unit("music_v*", "elevenlabs", "music", "0.05", "second", output_modalities=_AUDIO)),
    # replicate/<owner>/<model>[:<version>]: any Replicate-style model, as a video or as a track.
    ("replicate/*/*", per_unit("replicate/*/*", "replicate", "video", "5", "video", output_modalities=_VIDEO)),
    ("replicate/*/*", per_unit("replicate/*/*", "replicate", "music", "2", "track", output_modalities=_AUDIO)),
)

PARSE_MODEL = "local/document-parse"
CHUNK_MODEL = "local/document-chunk"
