"""Credits for the console's tests: the operator grants them to the account, which every key of the
account then spends (ledger/accounts.py)."""

from __future__ import annotations

from typing import Any


def fund(admin_http: Any, account_id: str, credits: str) -> None:
    granted = admin_http.post(f"/admin/accounts/{account_id}/credits", json={"amount": credits, "note": "test"})
    assert granted.status_code == 200, granted.text
