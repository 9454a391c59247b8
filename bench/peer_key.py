"""Give the shared peer harness (../shared/bench/run_peer.sh) the one API key it sends all load with.

    TOLLWAY_ADMIN_KEY=... GATEWAY_KEY=sk-tw-... python bench/peer_key.py --gateway-pid 4242 \
        --url http://127.0.0.1:8790

Started by bench/peer_gateway.sh next to `tollway serve`. The harness knows its key before the
gateway exists and sends every request with it, so this script waits for the gateway, creates a
key through the admin API with a large balance and the highest rpm it allows (1,000,000: far above
what the harness can send, and a balance large enough that requests are admitted against the
process's prepaid lease, as a busy key's are), and re-keys that item in the local emulator: same
item, with the `id` and `key_hash` of GATEWAY_KEY. Nothing in the gateway changes.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER_RPM = 1_000_000  # the highest the admin API allows
PEER_CREDITS = 1_000_000
# It runs on the gateway's CPU while the gateway starts, so it imports nothing heavy (urllib, not
# httpx; the emulator's DynamoDB JSON API by hand, not boto3): what it costs is counted as start-up.
DYNAMODB_AUTH = ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, "
                 "SignedHeaders=host, Signature=0")  # the local emulator checks no signature


def emulator_endpoint(gateway_pid: int) -> str:
    """`tollway serve` runs the emulator as `python -m tollway.local.emulator PORT ...`."""
    for task in Path(f"/proc/{gateway_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")
            except OSError:
                continue
            if "tollway.local.emulator" in argv:
                return f"http://127.0.0.1:{int(argv[argv.index('tollway.local.emulator') + 1])}"
    raise RuntimeError(f"no emulator child under pid {gateway_pid}")


def _call(url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
          timeout: float = 10.0) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
        payload = response.read()
    return json.loads(payload) if payload else {}


def _dynamodb(endpoint: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    return _call(endpoint + "/", body, {"content-type": "application/x-amz-json-1.0", "authorization": DYNAMODB_AUTH,
                                        "x-amz-target": f"DynamoDB_20120810.{action}"})


def wait_healthy(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/health", timeout=1.0).close()  # noqa: S310 - loopback only
            return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url}/health did not answer in time")


def provision(url: str, admin_key: str, key: str, gateway_pid: int) -> None:
    sys.path.insert(0, str(ROOT / "layers" / "core"))
    from tollway.auth.keys import parse_key

    ref = parse_key(key)
    if ref is None:
        raise RuntimeError("GATEWAY_KEY must look like a Tollway key: sk-tw- + 16 hex digits + 32-128 of "
                           f"[A-Za-z0-9_-], e.g. sk-tw-{secrets.token_hex(8)}{secrets.token_urlsafe(32)}")
    created = _call(url + "/admin/keys", {"name": "peer-harness", "credits": PEER_CREDITS, "rpm": PEER_RPM},
                    {"authorization": f"Bearer {admin_key}"})["id"]
    endpoint = emulator_endpoint(gateway_pid)
    item = _dynamodb(endpoint, "GetItem", {"TableName": "KeysTable", "Key": {"id": {"S": created}},
                                          "ConsistentRead": True})["Item"]
    item |= {"id": {"S": ref.id}, "key_hash": {"S": ref.hash}}
    _dynamodb(endpoint, "PutItem", {"TableName": "KeysTable", "Item": item})
    _dynamodb(endpoint, "DeleteItem", {"TableName": "KeysTable", "Key": {"id": {"S": created}}})


def main() -> int:
    parser = argparse.ArgumentParser(description="provision the peer harness's key")
    parser.add_argument("--gateway-pid", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--timeout", type=float, default=90.0, help="give up (and exit) after this")
    a = parser.parse_args()
    # Keys come from the environment, never argv (visible to every `ps`).
    admin_key, key = os.environ.get("TOLLWAY_ADMIN_KEY"), os.environ.get("GATEWAY_KEY")
    if not admin_key or not key:
        parser.error("set TOLLWAY_ADMIN_KEY (the one `tollway serve` uses) and GATEWAY_KEY")
    try:
        wait_healthy(a.url, time.monotonic() + a.timeout)
        provision(a.url, admin_key, key, a.gateway_pid)
    except Exception as exc:  # noqa: BLE001 - a helper: say why and exit, the harness then times out
        print(f"peer_key: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"peer_key: GATEWAY_KEY provisioned with {PEER_CREDITS} credits, rpm {PEER_RPM}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
