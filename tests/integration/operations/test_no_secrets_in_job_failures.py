"""A job upstream that fails a job with a message quoting the gateway's key leaves no part of the
key in the operation the client reads, nor in the gateway's output, even where the message's
500-character cut falls inside the key (issue 10, item 10)."""

import json

import pytest

from tests.fakes.jobs import JobScript
from tests.integration.operations.conftest import OPENAI_KEY, REPLICATE_TOKEN
from tests.leaks import pieces_found, quoting_across_the_cut


@pytest.mark.parametrize(("fake", "body", "secret"), [
    ("replicate", {"model": "replicate/acme/clip-maker", "prompt": "a fox"}, REPLICATE_TOKEN),
    ("videos", {"model": "sora-2", "prompt": "a paper boat", "seconds": 4}, OPENAI_KEY),
], ids=["replicate", "openai-videos"])
def test_a_failed_job_quoting_our_key_across_the_message_cut_leaks_no_part_of_it(ops, request, fake: str, body,
                                                                                 secret: str) -> None:
    upstream = request.getfixturevalue(fake)
    key = ops.key(credits=10)
    upstream.book.script = JobScript(polls=1, fail=quoting_across_the_cut(secret))
    op = ops.submit(key, "/v1/videos/generations", body)
    final, _ = ops.wait(key, op["id"])
    # (the redaction marker itself may be cut: the message is redacted first, then cut)
    assert final["status"] == "failed" and "Incorrect API key provided: [redact" in final["error"]["message"]
    assert pieces_found(secret, json.dumps(final) + "".join(ops.served.output)) == []
    assert ops.balance(key) == 10
