"""chunk_text / chunk_blocks: sizes, order, coverage, overlap and boundary preference, on many texts."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tollway.documents import Chunk, TextBlock, chunk_blocks, chunk_text, joined_text
from tollway.documents.chunk import MAX_CHUNKS
from tollway.errors import InvalidRequest, PayloadTooLarge

PARAGRAPH_END = re.compile(r"\S(?=[ \t]*\n[ \t]*\n)")
SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*(?=\s)|[。！？]['\"”’」』)\]]*")


def _ends(pattern: re.Pattern[str], text: str) -> set[int]:
    return {match.end() for match in pattern.finditer(text)}


def assert_chunking_contract(text: str, chunks: list[Chunk], max_chars: int, overlap_chars: int) -> None:
    """The guarantees chunk.py documents, checked from the outside."""
    if not text.strip():
        assert chunks == []
        return
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.text == text[chunk.start:chunk.end]
        assert 0 < len(chunk.text) <= max_chars
        assert chunk.text == chunk.text.strip()
    # Coverage: only whitespace before the first, after the last and between non-overlapping chunks.
    assert not text[:chunks[0].start].strip() and not text[chunks[-1].end:].strip()
    paragraph_ends, sentence_ends = _ends(PARAGRAPH_END, text), _ends(SENTENCE_END, text)
    for before, after in pairwise(chunks):
        assert before.start < after.start and before.end < after.end  # in order, always progressing
        overlap = before.end - after.start
        if overlap <= 0:
            assert not text[before.end:after.start].strip()
        assert overlap <= overlap_chars
        in_window = max(before.end - overlap_chars, before.start + 1)
        if overlap_chars and in_window <= after.start < before.end:
            # The overlap begins at the first word start in its window (longest word-aligned overlap)…
            first_word = re.compile(r"(?<!\S)\S").search(text, in_window, before.end)
            assert after.start == (first_word.start() if first_word else in_window)
    # A chunk ends at the best boundary in the upper half of its window.
    previous_end = chunks[0].start
    for chunk in chunks[:-1]:
        limit = chunk.start + max_chars
        floor = max(previous_end, chunk.start + max_chars // 2)
        if any(floor < p <= limit for p in paragraph_ends):
            assert chunk.end in paragraph_ends, "a paragraph break was available"
        elif any(floor < p <= limit for p in sentence_ends):
            assert chunk.end in sentence_ends, "a sentence end was available"
        if chunk.end not in sentence_ends and not text[chunk.end].isspace():
            # A word was cut: only when the new part of the window had no space to break at.
            assert not re.search(r"\S\s", text[previous_end:limit + 1])
        previous_end = chunk.end


WORDS = st.sampled_from(["a", "tiny", "word", "chunking", "supercalifragilistic", "x" * 130, "终于", "ok."])
SEPARATORS = st.sampled_from([" ", " ", " ", ". ", "! ", "? ", "\n", "\n\n", "  \n \n", ".\n\n", "\t", "。"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(WORDS, SEPARATORS), min_size=0, max_size=400))
    lead = draw(st.sampled_from(["", " ", "\n\n"]))
    return lead + "".join(word + sep for word, sep in pieces)


@st.composite
def sizes(draw: st.DrawFn) -> tuple[int, int]:
    max_chars = draw(st.one_of(st.integers(100, 400), st.integers(100, 8000)))
    overlap = draw(st.one_of(st.just(0), st.integers(0, min(4000, max_chars - 1))))
    return max_chars, overlap


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts(), size=sizes())
@example(text="a " + "x" * 130 + " ", size=(100, 1))  # a one-character chunk has nothing to overlap
@example(text="a a。" + "x" * 130, size=(100, 0))  # a CJK sentence end needs no space after it
def test_chunk_text_keeps_its_contract_for_random_texts(text: str, size: tuple[int, int]) -> None:
    max_chars, overlap = size
    assert_chunking_contract(text, chunk_text(text, max_chars=max_chars, overlap_chars=overlap), max_chars, overlap)


@settings(max_examples=150, deadline=None)
@given(text=st.text(min_size=0, max_size=3000), size=sizes())
def test_chunk_text_keeps_its_contract_for_arbitrary_unicode(text: str, size: tuple[int, int]) -> None:
    max_chars, overlap = size
    assert_chunking_contract(text, chunk_text(text, max_chars=max_chars, overlap_chars=overlap), max_chars, overlap)


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraphs = [f"Paragraph {i} " + "words " * 12 + "end." for i in range(6)]
    text = "\n\n".join(paragraphs)
    chunks = chunk_text(text, max_chars=200, overlap_chars=0)
    assert [c.text for c in chunks] == ["\n\n".join(paragraphs[i:i + 2]) for i in range(0, 6, 2)]


def test_long_paragraph_splits_at_sentence_ends() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(20))
    chunks = chunk_text(text, max_chars=120, overlap_chars=0)
    assert len(chunks) > 1
    assert all(c.text.endswith("here.") for c in chunks)


def test_overlap_repeats_whole_words_from_the_previous_chunk() -> None:
    text = " ".join(f"w{i:03d}" for i in range(200))  # 4-character words, 999 characters
    chunks = chunk_text(text, max_chars=100, overlap_chars=30)
    for before, after in pairwise(chunks):
        shared = text[after.start:before.end]
        assert 20 < len(shared) <= 30 and before.text.endswith(shared)
        assert after.text.startswith(shared) and text[after.start - 1] == " "


def test_a_word_longer_than_max_chars_is_cut() -> None:
    text = "short " + "y" * 250 + " tail"
    chunks = chunk_text(text, max_chars=100, overlap_chars=0)
    assert [c.text for c in chunks] == ["short", "y" * 100, "y" * 100, "y" * 50 + " tail"]


def test_chunk_blocks_reports_pages_and_keeps_headings_with_their_text() -> None:
    blocks = [
        TextBlock(text="Introduction", kind="heading", level=1, page=1),
        TextBlock(text="A" * 80 + ".", page=1),
        TextBlock(text="B" * 80 + ".", page=2),
        TextBlock(text="C" * 80 + ".", page=3),
    ]
    chunks = chunk_blocks(blocks, max_chars=190, overlap_chars=0)
    text = joined_text(blocks)
    assert text.startswith("Introduction\n" + "A" * 80 + ".\n\nB")
    assert [c.text for c in chunks] == [text[c.start:c.end] for c in chunks]
    assert chunks[0].text.startswith("Introduction\nAAA") and chunks[0].pages == [1, 2]
    assert chunks[-1].pages == [3]


def test_chunk_blocks_without_page_numbers_has_no_pages() -> None:
    chunks = chunk_blocks([TextBlock(text="one"), TextBlock(text="two")], max_chars=100, overlap_chars=0)
    assert [(c.text, c.pages) for c in chunks] == [("one\n\ntwo", None)]


def test_chunk_text_has_no_pages_and_empty_text_has_no_chunks() -> None:
    assert chunk_text("Hello there.", max_chars=100, overlap_chars=10)[0].pages is None
    assert chunk_text(" \n\n ", max_chars=100, overlap_chars=10) == []


@pytest.mark.parametrize(("max_chars", "overlap_chars", "param"), [
    (99, 0, "max_chars"), (8001, 0, "max_chars"), (1000, -1, "overlap_chars"),
    (5000, 4001, "overlap_chars"), (200, 200, "overlap_chars"),
])
def test_out_of_range_sizes_are_refused_with_the_param(max_chars: int, overlap_chars: int, param: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        chunk_text("text", max_chars=max_chars, overlap_chars=overlap_chars)
    assert raised.value.param == param


def test_a_text_that_would_make_too_many_chunks_is_refused() -> None:
    text = "word " * (MAX_CHUNKS * 2)
    with pytest.raises(PayloadTooLarge) as raised:
        chunk_text(text, max_chars=4001, overlap_chars=4000)
    assert raised.value.code == "too_many_chunks"
