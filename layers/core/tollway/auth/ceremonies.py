"""WebAuthn ceremonies with py_webauthn: the options a browser is given, the challenge kept on the
server, and the verification of what the authenticator answers.

    rp = RelyingParty(origin="http://localhost:8787", rp_id="localhost", name="Tollway")
    started = sign_in_options(rp)              # {"ceremony": id, "publicKey": {...}} for the browser
    user, passkey = verify_sign_in(rp, consume(started["ceremony"], "sign-in"), credential_json)

Each challenge is stored once and consumed once (DeleteItem returning the old item): an assertion
can be verified against its challenge at most once, so a replayed one finds nothing. Verification
checks the origin and RP ID from configuration, user verification (required: passkeys are the only
factor), the signature with the stored public key and the sign count, which must grow whenever the
authenticator keeps one; the new count is stored by a write conditional on the old one.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

from tollway.auth import account_table as t
from tollway.auth.passkeys import Passkey, get_passkey, record_use
from tollway.auth.users import User, get_user, is_user_id
from tollway.errors import AuthenticationFailed, InvalidRequest

Purpose = Literal["sign-up", "sign-in", "add-passkey"]
CEREMONY_S = 300
TIMEOUT_MS = 120_000
_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_TRANSPORTS = frozenset({"ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"})


@dataclass(frozen=True)
class RelyingParty:
    origin: str  # scheme://host[:port], as the browser reports it in clientDataJSON
    rp_id: str  # the host
    name: str


@dataclass(frozen=True)
class Ceremony:
    id: str
    purpose: str
    challenge: bytes
    user_id: str  # sign-up: the user being made; add-passkey: the signed-in user; sign-in: ""
    name: str  # sign-up: the new user's name
    invite: str  # sign-up: the invite code presented, if any


def _start(purpose: Purpose, challenge: bytes, *, user_id: str = "", name: str = "", invite: str = "") -> str:
    ceremony_id = secrets.token_urlsafe(24)
    item = {**t.key(f"ceremony#{ceremony_id}", "ceremony"), "purpose": t.s(purpose), "challenge": {"B": challenge},
            "user_id": t.s(user_id), "name": t.s(name), "invite": t.s(invite),
            "expires_at": t.n(int(time.time()) + CEREMONY_S)}
    t.ddb().put_item(TableName=t.table(), Item=item, ConditionExpression="attribute_not_exists(pk)")
    return ceremony_id


def _expired() -> InvalidRequest:
    return InvalidRequest("This passkey prompt expired or was already answered: start again",
                          code="ceremony_expired", param="ceremony")


def consume(ceremony_id: object, purpose: Purpose) -> Ceremony:
    """The ceremony, deleted as it is read: only its first answer is ever verified."""
    if not isinstance(ceremony_id, str) or not _ID.match(ceremony_id):
        raise _expired()
    old = t.ddb().delete_item(TableName=t.table(), Key=t.key(f"ceremony#{ceremony_id}", "ceremony"),
                              ReturnValues="ALL_OLD").get("Attributes")
    if not old or t.text(old, "purpose") != purpose or t.number(old, "expires_at") <= time.time():
        raise _expired()
    raw = old["challenge"]["B"]
    return Ceremony(id=ceremony_id, purpose=purpose, challenge=raw if isinstance(raw, bytes) else bytes(raw),
                    user_id=t.text(old, "user_id"), name=t.text(old, "name"), invite=t.text(old, "invite"))


def _options_json(options: Any) -> dict[str, Any]:
    import json

    from webauthn import options_to_json

    return json.loads(options_to_json(options))  # type: ignore[no-any-return]


def _registration(rp: RelyingParty, user_id: str, user_name: str, exclude: list[str]) -> tuple[dict[str, Any], bytes]:
    from webauthn import base64url_to_bytes, generate_registration_options
    from webauthn.helpers.structs import (AttestationConveyancePreference, AuthenticatorSelectionCriteria,
                                          PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                          UserVerificationRequirement)

    options = generate_registration_options(
        rp_id=rp.rp_id, rp_name=rp.name, user_id=user_id.encode(), user_name=user_name, user_display_name=user_name,
        timeout=TIMEOUT_MS, attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.REQUIRED,
                                                               user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in exclude])
    return _options_json(options), options.challenge


def sign_up_options(rp: RelyingParty, user_id: str, name: str, invite: str = "") -> dict[str, Any]:
    options, challenge = _registration(rp, user_id, name, [])
    return {"ceremony": _start("sign-up", challenge, user_id=user_id, name=name, invite=invite), "publicKey": options}


def add_passkey_options(rp: RelyingParty, user: User, existing: list[str]) -> dict[str, Any]:
    options, challenge = _registration(rp, user.id, user.name, existing)
    return {"ceremony": _start("add-passkey", challenge, user_id=user.id), "publicKey": options}


def sign_in_options(rp: RelyingParty) -> dict[str, Any]:
    from webauthn import generate_authentication_options
    from webauthn.helpers.structs import UserVerificationRequirement

    # No allowCredentials: discoverable credentials, the authenticator offers the user's passkeys.
    options = generate_authentication_options(rp_id=rp.rp_id, timeout=TIMEOUT_MS,
                                              user_verification=UserVerificationRequirement.REQUIRED)
    return {"ceremony": _start("sign-in", options.challenge), "publicKey": _options_json(options)}


def _why(exc: Exception) -> str:
    """py_webauthn's own reasons are fixed sentences about the answer; anything else is just malformed."""
    from webauthn.helpers.exceptions import WebAuthnException

    return str(exc)[:200] if isinstance(exc, WebAuthnException) else "the answer is malformed"


def verify_registration(rp: RelyingParty, ceremony: Ceremony, credential: object, name: str) -> Passkey:
    """The new passkey of `ceremony.user_id` (not stored yet), or a 400 saying why it is refused."""
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url

    if not isinstance(credential, dict):
        raise InvalidRequest("credential must be the object the browser returned", code="invalid_value",
                             param="credential")
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=ceremony.challenge,
                                                expected_origin=rp.origin, expected_rp_id=rp.rp_id,
                                                require_user_verification=True)
    except Exception as exc:  # noqa: BLE001 - hostile input may break the parser anywhere: always a 400
        raise InvalidRequest(f"The passkey was refused: {_why(exc)}", code="passkey_rejected",
                             param="credential") from None
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    known = tuple(x for x in transports if isinstance(x, str) and x in _TRANSPORTS) if isinstance(transports, list) else ()
    return Passkey(user_id=ceremony.user_id, credential_id=bytes_to_base64url(verified.credential_id),
                   public_key=verified.credential_public_key, sign_count=verified.sign_count, name=name,
                   created_at=t.iso(), transports=known, backed_up=verified.credential_backed_up,
                   aaguid=str(verified.aaguid))


def _refused(reason: str) -> AuthenticationFailed:
    return AuthenticationFailed(f"Sign-in refused: {reason}", code="passkey_rejected")


def verify_sign_in(rp: RelyingParty, ceremony: Ceremony, credential: object) -> tuple[User, Passkey]:
    from webauthn import verify_authentication_response
    from webauthn.helpers import parse_authentication_credential_json

    try:
        parsed = parse_authentication_credential_json(credential)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - see verify_registration
        raise _refused(_why(exc)) from None
    handle = parsed.response.user_handle or b""
    user_id = handle.decode("ascii", "replace")
    user = get_user(user_id) if is_user_id(user_id) else None
    passkey = get_passkey(user.id, parsed.id) if user else None
    if user is None or passkey is None:
        raise _refused("this passkey is not registered here")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=ceremony.challenge, expected_rp_id=rp.rp_id,
            expected_origin=rp.origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except Exception as exc:  # noqa: BLE001 - see verify_registration
        raise _refused(_why(exc)) from None
    if not record_use(passkey, verified.new_sign_count):
        raise _refused("this passkey was used by another sign-in at the same moment")
    return user, passkey
