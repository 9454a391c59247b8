"""Webhooks: a finished operation is POSTed to its webhook_url, signed with HMAC-SHA256 over
timestamp + body with its key's own secret, retried with backoff; private and loopback addresses
are refused unless the operator allows them (the tests' gateway does, for its 127.0.0.1 receiver)."""

import json
import uuid

import httpx

from tests.fakes.jobs import JobScript
from tests.served import ServedGateway
from tollway.operations.webhooks import verify

SORA = {"model": "sora-2", "prompt": "a kite", "seconds": 4}


def hook(receiver) -> tuple[str, str]:
    name = uuid.uuid4().hex[:12]
    return name, f"{receiver.url}/hooks/{name}"


def test_a_finished_operation_is_posted_signed_and_retried_until_received(ops, videos, receiver) -> None:
    key = ops.key(credits=10)
    secret = ops.get(key, "/v1/webhooks/secret").json()
    assert secret["secret"].startswith("whsec_") and secret["algorithm"] == "HMAC-SHA256"
    name, url = hook(receiver)
    receiver.answers = [503]  # the first delivery fails: the gateway retries
    videos.book.script = JobScript(polls=2)
    op = ops.submit(key, "/v1/videos/generations", SORA | {"webhook_url": url})
    first, second = receiver.wait_for(name, 2)
    assert first.headers["tollway-webhook-id"] == second.headers["tollway-webhook-id"] == f"wh_{op['id']}"
    assert first.body == second.body
    assert verify(secret["secret"].encode(), second.headers["tollway-signature"], second.body)
    assert not verify(secret["secret"].encode(), second.headers["tollway-signature"], second.body + b" ")
    other = ops.get(ops.key(credits=1), "/v1/webhooks/secret").json()["secret"]
    assert other != secret["secret"] and not verify(other.encode(), second.headers["tollway-signature"], second.body)
    payload = json.loads(second.body)
    assert (payload["id"], payload["object"], payload["status"]) == (op["id"], "operation", "succeeded")
    assert httpx.get(payload["result"]["url"]).status_code == 200
    assert second.headers["content-type"] == "application/json"


def test_a_failed_operation_is_posted_too(ops, videos, receiver) -> None:
    key = ops.key(credits=10)
    name, url = hook(receiver)
    videos.book.script = JobScript(polls=1, fail="nope")
    op = ops.submit(key, "/v1/videos/generations", SORA | {"webhook_url": url})
    (delivery,) = receiver.wait_for(name, 1)
    payload = json.loads(delivery.body)
    assert (payload["id"], payload["status"], payload["error"]["code"]) == (op["id"], "failed", "moderation_blocked")


def test_webhooks_to_loopback_or_private_addresses_are_refused_unless_allowed(ops_env, receiver) -> None:
    env = {k: v for k, v in ops_env.items() if k != "TOLLWAY_WEBHOOKS_ALLOW_PRIVATE"}
    with ServedGateway(env=env) as served:
        key = served.create_key(credits=10)
        headers = {"authorization": f"Bearer {key['key']}"}
        for url in (f"{receiver.url}/hooks/x", "http://10.0.0.7/hook", "http://169.254.169.254/latest",
                    "http://[::1]/hook"):
            response = httpx.post(served.url + "/v1/videos/generations", headers=headers,
                                  json=SORA | {"webhook_url": url})
            assert response.status_code == 400, (url, response.text)
            assert response.json()["error"]["code"] == "invalid_webhook_url"
            assert response.json()["error"]["param"] == "webhook_url"
        assert served.balance(key["id"]) == 10


def test_a_webhook_url_is_only_checked_for_a_valid_key(ops) -> None:
    """Nobody without a key can make the gateway resolve host names: 401 comes first."""
    response = httpx.post(ops.url + "/v1/videos/generations", headers={"authorization": "Bearer sk-tw-nope"},
                          json=SORA | {"webhook_url": "https://does-not-resolve.invalid/hook"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"
