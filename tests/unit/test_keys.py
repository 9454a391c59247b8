"""API keys: the id is readable from the key, only the hash is stored, malformed keys never reach DynamoDB."""

import re

import pytest

from tollway.auth.keys import hash_key, new_key, parse_key


def test_new_keys_have_the_documented_shape_and_are_unique() -> None:
    keys = {new_key()[0] for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert re.fullmatch(r"sk-tw-[0-9a-f]{16}[A-Za-z0-9_-]{32,}", key)


def test_a_new_key_parses_back_to_its_id_and_hash() -> None:
    key, ref = new_key()
    parsed = parse_key(key)
    assert parsed == ref
    assert parsed is not None and parsed.hash == hash_key(key) and key.startswith("sk-tw-" + parsed.id)
    assert key not in parsed.hash


@pytest.mark.parametrize(
    "key",
    ["", "sk-tw-", "sk-abc", "Bearer sk-tw-0123456789abcdef" + "a" * 40, "sk-tw-0123456789ABCDEF" + "a" * 40,
     "sk-tw-0123456789abcdef" + "a" * 10, "sk-tw-0123456789abcdef" + "a" * 39 + "!", "sk-tw-" + "0" * 200],
)
def test_malformed_keys_are_rejected_without_a_lookup(key: str) -> None:
    assert parse_key(key) is None
