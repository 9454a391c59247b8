"""`tollway auth CODE` and `tollway auth --device`: get a key of your account for this device.

    tollway auth ABCD-2345          # a code made in the console's Devices page
    tollway auth --device           # shows a code and a URL; approve it in the console (RFC 8628 style)

Either way the key is named for this device (its host name, or --name), scoped as the code said, and
saved with mode 0600 (`credentials.py`).
"""

from __future__ import annotations

import platform
import sys
import time
from typing import Any

from tollway.commands import credentials
from tollway.commands.remote import GatewayRefused, call, fail, request

CLEAR_MESSAGES = {
    "invalid_code": "that code does not exist: check it (8 characters, like ABCD-2345)",
    "expired_code": "that code has expired (codes last 10 minutes): make a new one in the console",
    "used_code": "that code was already used: make a new one in the console",
    "too_many_attempts": "too many attempts: wait a minute and try again",
}


def _saved(url: str, issued: dict[str, Any]) -> None:
    where = credentials.save(credentials.Saved(url=url, key=issued["key"], key_id=issued["id"], name=issued["name"],
                                               account_id=issued.get("account_id")))
    print(f"Signed in: key {issued['name']!r} ({issued['prefix']}) of account {issued.get('account_id')}, "
          f"scopes {', '.join(issued['scopes'])}, {issued['rpm']} requests/minute.\nSaved to {where}")


def redeem(url_option: str | None, code: str, name: str | None) -> None:
    url = credentials.gateway_url(url_option)
    try:
        issued = request("POST", f"{url}/console/api/device/redeem",
                         json={"code": code, "device_name": name or platform.node()})
    except GatewayRefused as exc:
        if exc.code in CLEAR_MESSAGES:
            sys.exit(f"error: {CLEAR_MESSAGES[exc.code]}")
        fail(exc)
    _saved(url, issued)


def device_flow(url_option: str | None, name: str | None) -> None:
    url = credentials.gateway_url(url_option)
    grant = call("POST", f"{url}/console/api/device/authorize", json={"device_name": name or platform.node()})
    print(f"To connect this device, open\n  {grant['verification_uri']}\nand enter the code\n  {grant['user_code']}\n"
          f"(or open {grant['verification_uri_complete']})", flush=True)
    interval = float(grant.get("interval", 5))
    deadline = time.monotonic() + float(grant.get("expires_in", 600))
    while time.monotonic() < deadline:
        time.sleep(interval)
        try:
            issued = request("POST", f"{url}/console/api/device/token", json={"device_code": grant["device_code"]})
        except GatewayRefused as exc:
            if exc.code == "authorization_pending":
                continue
            if exc.code == "slow_down":
                interval += 5
                continue
            if exc.code == "access_denied":
                sys.exit("error: the request was denied in the console")
            if exc.code == "expired_token":
                sys.exit("error: the code expired before it was approved: run `tollway auth --device` again")
            fail(exc)
        _saved(url, issued)
        return
    sys.exit("error: the code expired before it was approved: run `tollway auth --device` again")
