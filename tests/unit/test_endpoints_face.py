"""The endpoints package's face: every use case it names imports on first use, and a Caller never
shows its key."""

import asyncio

import pytest

import tollway.endpoints as endpoints
from tollway.endpoints import Caller


def test_every_name_of_the_endpoints_face_imports() -> None:
    for name in endpoints.__all__:
        value = getattr(endpoints, name)
        assert callable(value) or isinstance(value, str), name
    with pytest.raises(AttributeError):
        endpoints.not_a_use_case  # noqa: B018


def test_a_callers_repr_never_shows_its_key() -> None:
    caller = Caller("sk-tw-0123456789abcdef" + "x" * 43, "req_1")
    assert "sk-tw" not in repr(caller) and "req_1" in repr(caller)
    assert caller.ref.id == "0123456789abcdef"


def test_a_malformed_key_is_refused_when_its_ref_is_first_needed() -> None:
    from tollway.errors import AuthenticationFailed

    caller = Caller("not-a-key")
    with pytest.raises(AuthenticationFailed):
        caller.ref  # noqa: B018
    assert asyncio.iscoroutinefunction(Caller.verified)
