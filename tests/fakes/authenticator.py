"""A software WebAuthn authenticator speaking the spec's real formats (ES256, "none" attestation,
discoverable credentials with user verification), for API-level tests that need no browser.

    device = SoftAuthenticator(origin="http://localhost:8787")
    credential = device.create(options["publicKey"])            # what navigator.credentials.create() returns (toJSON)
    assertion = device.get(options["publicKey"])                # what navigator.credentials.get() returns (toJSON)
    device.get(options["publicKey"], sign_count=0, origin="https://evil.example")   # hostile variants

The real Chromium authenticator (CDP's virtual authenticator) is used by tests/browser; this one lets
the security tests shape each field of an answer exactly.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class StoredCredential:
    id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    origin: str
    credentials: list[StoredCredential] = field(default_factory=list)
    user_verified: bool = True

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None, rp_id: str | None = None) -> dict[str, Any]:
        rp = rp_id or options["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        credential = StoredCredential(secrets.token_bytes(16), key, rp, unb64url(options["user"]["id"]))
        flags = UP | AT | (UV if self.user_verified else 0)
        auth_data = (hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", 0) + bytes(16)
                     + struct.pack(">H", len(credential.id)) + credential.id + cose)
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(credential)
        return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["internal"]}}

    def get(self, options: dict[str, Any], *, credential: StoredCredential | None = None, origin: str | None = None,
            rp_id: str | None = None, sign_count: int | None = None, user_handle: bytes | None = None) -> dict[str, Any]:
        chosen = credential or self.credentials[-1]
        if sign_count is None:
            chosen.sign_count += 1
            sign_count = chosen.sign_count
        rp = rp_id or options.get("rpId") or chosen.rp_id
        flags = UP | (UV if self.user_verified else 0)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = chosen.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(chosen.id), "rawId": b64url(chosen.id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature),
                             "userHandle": b64url(chosen.user_handle if user_handle is None else user_handle)}}
