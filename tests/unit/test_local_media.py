"""The offline models' pure parts: WAV durations read back (and hostile WAVs refused), PNGs that
decode, vectors that are stable and normalised, rerank and moderation that mean what they say."""

from __future__ import annotations

import math
import struct
import zlib

import pytest

from tests.fakes.media_samples import mp3, wav
from tollway.providers.local_png import draw_png
from tollway.providers.local_text import flagged_categories, overlap, vector
from tollway.providers.local_wav import speak_wav, wav_seconds


def test_a_spoken_wav_lasts_as_long_as_its_text_and_reads_back_its_duration() -> None:
    assert wav_seconds(speak_wav("Hello world")) == 0.66
    assert wav_seconds(wav(samples=16_000)) == 1.0
    assert wav_seconds(speak_wav("")) == 0.06  # never an empty file


@pytest.mark.parametrize("data", [b"", b"RIFF", mp3(), b"RIFF\x00\x00\x00\x00WAVE",
                                  b"RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd",  # no fmt: no rate
                                  b"RIFF\x00\x00\x00\x00WAVEfmt \xff\xff\xff\xff" + bytes(40),  # a chunk past the end
                                  b"RIFF\x00\x00\x00\x00WAVE" + b"junk\x00\x00\x00\x00" * 100_000 + wav()[12:]])
def test_what_is_not_a_readable_wav_has_no_duration(data: bytes) -> None:
    assert wav_seconds(data) is None


def test_a_truncated_wav_lasts_as_long_as_the_samples_present() -> None:
    whole = wav(samples=16_000)
    assert wav_seconds(whole[: len(whole) // 2]) == pytest.approx(0.5, abs=0.01)


def test_drawn_pngs_decode_to_the_asked_size_and_differ_by_prompt() -> None:
    data = draw_png("a fox", 7, 3)
    idat = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    assert struct.unpack(">II", data[16:24]) == (7, 3) and len(zlib.decompress(idat)) == 3 * (1 + 7 * 3)
    assert draw_png("a fox", 7, 3) == data != draw_png("a cat", 7, 3)


def test_vectors_are_stable_unit_length_for_text_and_token_arrays() -> None:
    for item in ("a red fox", "!", [1, 2, 3], "\ud800 lone surrogate"):
        values = vector(item, 64)
        assert len(values) == 64 and math.isclose(math.fsum(v * v for v in values), 1.0, rel_tol=1e-9)
        assert vector(item, 64) == values
    assert vector("a", 256) != vector("b", 256)


def test_rerank_scores_coverage_first_and_moderation_matches_whole_words() -> None:
    assert overlap("red fox", "the red fox") > overlap("red fox", "a red car") > overlap("red fox", "blue") == 0.0
    assert overlap("", "anything") == 0.0 and overlap("x", "") == 0.0
    assert flagged_categories("I will kill you") == {"violence", "harassment/threatening"}
    assert flagged_categories("skills and killer whales") == set()  # words, not substrings
