"""Until the ledger charges account keys against their account (the lead's change in ledger/), an
account key spends its own item's balance, which the console never funds. Two things follow, both
kept here so that one edit ends them when that change lands:

- `WAITS_FOR_ACCOUNT_LEDGER` marks the tests of the intended behaviour (strict: they fail loudly as
  soon as they pass, so the marker is removed then);
- `fund(...)` grants the account its credits and, meanwhile, puts the same amount on the key's own
  item so that tests of everything else (usage, playground, CLI) can spend.
"""

from __future__ import annotations

from typing import Any

import pytest

WAITS_FOR_ACCOUNT_LEDGER = pytest.mark.xfail(
    strict=True, reason="the ledger does not charge account keys against their account yet (lead's ledger change)")


def fund(admin_http: Any, account_id: str, key_id: str, credits: str) -> None:
    granted = admin_http.post(f"/admin/accounts/{account_id}/credits", json={"amount": credits, "note": "test"})
    assert granted.status_code == 200, granted.text
    bridged = admin_http.post(f"/admin/keys/{key_id}/credits", json={"amount": credits})
    assert bridged.status_code == 200, bridged.text
