"""The media request models: what they accept, what they refuse (naming the param), and what they
hand the upstream."""

import base64
import struct

import pytest

from tollway.errors import InvalidRequest
from tollway.wire.base64_data import decode_base64
from tollway.wire.openai_audio import SoundGenerationParams, TranscriptionCreateParams
from tollway.wire.openai_embeddings import EmbeddingCreateParams, encode_floats
from tollway.wire.openai_images import ImageGenerateParams
from tollway.wire.rerank import rerank_response
from tollway.wire.validation import validate


@pytest.mark.parametrize(("size", "ok"), [("1024x1024", True), ("256x512", True), ("auto", True), ("8192x1", True),
                                          ("1024", False), ("1024X1024", False), ("0x10", False),
                                          ("8193x8", False), ("-1x5", False), (" 10x10", False)])
def test_image_sizes_are_width_x_height(size: str, ok: bool) -> None:
    if ok:
        assert validate(ImageGenerateParams, {"prompt": "x", "size": size}).size == size
    else:
        with pytest.raises(InvalidRequest) as caught:
            validate(ImageGenerateParams, {"prompt": "x", "size": size})
        assert caught.value.param == "size" and "Value error" not in caught.value.message


@pytest.mark.parametrize(("model", "asked", "delivery"), [("dall-e-3", None, "url"), ("gpt-image-1", None, "b64_json"),
                                                         ("@cf/x", None, "b64_json"), ("gpt-image-1", "url", "url")])
def test_images_are_delivered_as_openai_would_unless_asked(model: str, asked, delivery: str) -> None:
    request = validate(ImageGenerateParams, {"prompt": "x", "response_format": asked} if asked else {"prompt": "x"})
    assert request.delivery(model) == delivery


def test_unknown_image_parameters_pass_through_and_own_ones_do_not() -> None:
    request = validate(ImageGenerateParams, {"prompt": "x", "n": "2", "quality": "hd", "style": "vivid", "user": "u"})
    assert request.n == 2 and request.passed_through() == {"quality": "hd", "style": "vivid", "user": "u"}


@pytest.mark.parametrize(("input_", "tokens"), [("abcdef", 2), (["abc", "abcdefg"], 4), ([5, 6, 7], 3),
                                                ([[1, 2], [3]], 3)])
def test_embedding_reservations_estimate_text_and_count_token_arrays(input_, tokens: int) -> None:
    assert validate(EmbeddingCreateParams, {"model": "m", "input": input_}).estimated_tokens() == tokens


def test_base64_embeddings_are_little_endian_float32() -> None:
    values = [0.5, -1.25, 3.0]
    assert struct.unpack("<3f", base64.b64decode(encode_floats(values))) == tuple(values)


def test_transcription_fields_go_upstream_as_the_sdk_would_send_them() -> None:
    request = validate(TranscriptionCreateParams, {"model": "whisper-1", "language": "de", "temperature": 0,
                                                   "timestamp_granularities": ["word"],
                                                   "chunking_strategy": {"type": "server_vad"}})
    assert request.upstream_fields() == {"response_format": "json", "temperature": "0.0", "language": "de",
                                         "timestamp_granularities[]": ["word"],
                                         "chunking_strategy": '{"type":"server_vad"}'}


def test_sound_takes_prompt_or_elevenlabs_text() -> None:
    assert validate(SoundGenerationParams, {"text": "rain"}).prompt == "rain"
    assert validate(SoundGenerationParams, {"prompt": "rain"}).model is None  # the catalog's default answers


@pytest.mark.parametrize(("value", "data", "declared"), [
    ("aGVsbG8=", b"hello", None), ("aGVsbG8", b"hello", None), ("aGVs\nbG8=", b"hello", None),
    ("data:audio/wav;base64,aGVsbG8=", b"hello", "audio/wav"), ("_-8", b"\xff\xef", None)])
def test_base64_is_read_as_clients_send_it(value: str, data: bytes, declared) -> None:
    assert decode_base64(value) == (data, declared)


def test_invalid_base64_is_refused() -> None:
    with pytest.raises(ValueError, match="not valid base64"):
        decode_base64("%%%")


def test_rerank_results_are_the_best_top_n_sorted_by_score() -> None:
    body = rerank_response("req_1", "rerank-v3.5", [(0, 0.2), (1, 0.9), (2, 0.5)], ["a", "b", "c"], 2, True, {})
    assert [(r["index"], r["document"]["text"]) for r in body["results"]] == [(1, "b"), (2, "c")]
