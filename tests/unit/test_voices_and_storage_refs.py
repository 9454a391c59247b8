"""Voice names per provider, and the grammar of storage references (pure: no store is asked)."""

from __future__ import annotations

import pytest

from tollway.errors import InvalidRequest
from tollway.providers.voices import voice_for
from tollway.storage.refs import StorageRef, storage_ref


@pytest.mark.parametrize(("provider", "voice", "expected"), [
    ("elevenlabs", "adam", "pNInz6obpgDQGcFmaJgB"), ("elevenlabs", " Rachel ", "21m00Tcm4TlvDq8ikWAM"),
    ("elevenlabs", "alloy", "21m00Tcm4TlvDq8ikWAM"), ("elevenlabs", "pqHfZKP75CvOlQylNhV4", "pqHfZKP75CvOlQylNhV4"),
    ("openai", "adam", "onyx"), ("openai", "Nova", "nova"), ("local", "bella", "bella"),
])
def test_voice_names_map_to_each_providers_own(provider: str, voice: str, expected: str) -> None:
    assert voice_for(provider, voice) == expected


@pytest.mark.parametrize(("provider", "voice"), [("openai", "robot"), ("elevenlabs", "../v1/voices/add"),
                                                 ("elevenlabs", "x" * 300), ("local", "pNInz6obpgDQGcFmaJgB")])
def test_an_unknown_voice_is_a_400_listing_the_names(provider: str, voice: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        voice_for(provider, voice)
    assert refused.value.param == "voice" and "adam" in refused.value.message and len(refused.value.message) < 600


def test_a_good_reference_is_read_as_it_is() -> None:
    assert storage_ref({"bucket_id": "outputs", "key": "a/b-c_d.json"}, param="p") == StorageRef("outputs",
                                                                                               "a/b-c_d.json")
    assert storage_ref({"bucket_id": "files", "key": "file-abc"}, param="p").key == "file-abc"


@pytest.mark.parametrize(("value", "writable", "param"), [
    ({"bucket_id": "files", "key": "file-abc"}, True, "p.bucket_id"),
    ({"bucket_id": "files", "key": "file-a/b"}, False, "p.key"),
    ({"bucket_id": "outputs", "key": "a//b"}, False, "p.key"),
    ({"bucket_id": "outputs", "key": "a/./b"}, False, "p.key"),
    ({"bucket_id": "outputs", "key": "a\\b"}, False, "p.key"),
    ({"bucket_id": "outputs", "key": 5}, False, "p.key"),
    ({"bucket_id": ["outputs"], "key": "a"}, False, "p.bucket_id"),
    ([], False, "p"),
])
def test_a_bad_reference_names_the_field(value: object, writable: bool, param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        storage_ref(value, param="p", writable=writable)
    assert refused.value.param == param
