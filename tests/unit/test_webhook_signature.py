"""Webhook signatures: a receiver following the documented scheme verifies them; tampering and replays fail."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tollway.operations.webhooks import sign, verify

SECRET = b"whsec_test"
BODY = b'{"id":"op_1","status":"completed"}'
NOW = 1_767_225_600


def test_signature_follows_the_documented_scheme() -> None:
    expected = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"t={NOW},v1={expected}"


def test_signature_round_trip() -> None:
    assert verify(SECRET, sign(SECRET, NOW, BODY), BODY, now=NOW + 10)


@pytest.mark.parametrize(("header", "body", "secret", "now"), [
    pytest.param(sign(SECRET, NOW, BODY), BODY + b" ", SECRET, NOW, id="body changed"),
    pytest.param(sign(SECRET, NOW, BODY), BODY, b"other-secret", NOW, id="wrong secret"),
    pytest.param(sign(SECRET, NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}"), BODY, SECRET, NOW,
                 id="timestamp changed"),
    pytest.param(sign(SECRET, NOW, BODY), BODY, SECRET, NOW + 301, id="stale"),
    pytest.param(sign(SECRET, NOW, BODY), BODY, SECRET, NOW - 301, id="from the future"),
    pytest.param(f"t={NOW}", BODY, SECRET, NOW, id="no v1"),
    pytest.param(sign(SECRET, NOW, BODY).split(",")[1], BODY, SECRET, NOW, id="no timestamp"),
    pytest.param("t=abc,v1=00", BODY, SECRET, NOW, id="garbage"),
    pytest.param("", BODY, SECRET, NOW, id="empty"),
])
def test_verify_rejects_tampered_stale_and_malformed_signatures(header: str, body: bytes, secret: bytes,
                                                                now: int) -> None:
    assert not verify(secret, header, body, now=now)


def test_verify_accepts_any_of_several_v1_entries_during_secret_rotation() -> None:
    old = sign(b"old-secret", NOW, BODY).split("v1=")[1]
    header = f"{sign(SECRET, NOW, BODY)},v1={old}"
    assert verify(b"old-secret", header, BODY, now=NOW) and verify(SECRET, header, BODY, now=NOW)


def test_tolerance_is_configurable() -> None:
    header = sign(SECRET, NOW, BODY)
    assert verify(SECRET, header, BODY, now=NOW + 900, tolerance_s=1000)
    assert not verify(SECRET, header, BODY, now=NOW + 2, tolerance_s=1)
