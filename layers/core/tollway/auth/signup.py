"""Sign-up: open, by invite, or closed (TOLLWAY_SIGNUP). A user is made with their first passkey and
their account, all in one transaction (with the invite's use, when one was needed): a sign-up either
leaves a user who can sign in and an account to credit, or nothing.

    started = begin_sign_up(rp, name="Ada", invite="inv_…")      # the registration options
    ceremony = consume(started["ceremony"], "sign-up")
    user = complete_sign_up(ceremony, verify_registration(rp, ceremony, credential, "MacBook"))
"""

from __future__ import annotations

import secrets
from typing import Any

from tollway.auth import account_table as t
from tollway.auth.accounts import account_put, new_account_id
from tollway.auth.ceremonies import Ceremony, RelyingParty, sign_up_options
from tollway.auth.invites import check_invite, consume_invite
from tollway.auth.passkeys import Passkey, passkey_put
from tollway.auth.users import PREFIX, User, clean_name, user_put
from tollway.config import settings
from tollway.errors import Conflict, InvalidRequest, PermissionDenied


def _gate(invite: str) -> str:
    """The invite that must be consumed ("" when none is needed); a 403 when sign-up is closed."""
    mode = settings().signup
    if mode == "closed":
        raise PermissionDenied("Sign-up is closed on this gateway: ask its operator for an account",
                               code="signup_closed")
    if mode == "open":
        return ""
    if not invite:
        raise InvalidRequest("Sign-up needs an invite code on this gateway", code="invite_required", param="invite")
    check_invite(invite)
    return invite


def begin_sign_up(rp: RelyingParty, name: str, invite: str = "") -> dict[str, Any]:
    cleaned = clean_name(name)
    if not cleaned:
        raise InvalidRequest("name must not be empty", code="invalid_value", param="name")
    needed = _gate(invite.strip())
    return sign_up_options(rp, PREFIX + secrets.token_hex(16), cleaned, needed)


def complete_sign_up(ceremony: Ceremony, passkey: Passkey) -> User:
    needed = _gate(ceremony.invite)
    user = User(id=ceremony.user_id, name=ceremony.name, account_id=new_account_id(), created_at=t.iso(), passkeys=1)
    items = [user_put(user), passkey_put(passkey), account_put(user.account_id, user.id)]
    if needed:
        items.append(consume_invite(needed))
    ddb = t.ddb()
    try:
        ddb.transact_write_items(TransactItems=items)
    except ddb.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        if needed and len(reasons) > 3 and reasons[3].get("Code") == "ConditionalCheckFailed":
            raise InvalidRequest("This invite code was used up while you signed up", code="invalid_invite",
                                 param="invite") from None
        raise Conflict("This sign-up was already completed", code="already_signed_up") from None
    return user
