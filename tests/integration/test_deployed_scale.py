"""One key carries 5,000 requests a second across 100 Lambda containers without any DynamoDB item
taking more than 1,000 writes a second (the per-partition limit) and without a hot partition.

Each container is a lease book in Lambda mode, exactly as a warm Lambda runs the ledger: a request
is admitted against its lease, settled, and before the invocation ends `flush_invocation` writes
its record (a batch of one, on the lease's shard of the usage table) and, at most once a second,
applies the lease's charges to the key's item. The clock is virtual (every request carries its own
time, 5,000 to a second), the store is the emulator, and every write is counted from botocore's
`before-send` event by table, item and second. The arithmetic is in the README (Performance).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.ledger_books import assert_conserved
from tollway.auth import store
from tollway.auth.keys import parse_key
from tollway.ledger.admission import admit
from tollway.ledger.holds import Hold
from tollway.ledger.flush import flush_invocation
from tollway.ledger.leases import LeaseBook
from tollway.ledger.settlement import settle
from tollway.usage.records import UsageRecord

CONTAINERS = 100
PER_SECOND = 5_000
SECONDS = 1
RESERVE, CHARGE = 2_000, 1_500  # µc: a short chat
PARTITION_LIMIT = 1_000  # writes a second DynamoDB takes on one partition (and so on one item)


class WriteCounter:
    """Writes per (table, item or partition, virtual second), from the requests botocore sends."""

    def __init__(self) -> None:
        self.second = 0
        self.items: Counter[tuple[str, str, int]] = Counter()
        self.partitions: Counter[tuple[str, str, int]] = Counter()
        self._local = threading.local()
        self._lock = threading.Lock()

    def at(self, second: int) -> None:
        self._local.second = second

    def __call__(self, request: Any, **_: Any) -> None:
        operation = request.headers.get("X-Amz-Target", b"").decode().split(".")[-1]
        if operation not in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"):
            return
        body = json.loads(request.body)
        writes = ([next(iter(w.values())) for w in body["TransactItems"]] if operation == "TransactWriteItems"
                  else [body])
        second = getattr(self._local, "second", 0)
        with self._lock:
            for write in writes:
                key = write.get("Key") or {name: write["Item"][name] for name in ("id", "pk", "sk") if name in write["Item"]}
                partition = next(iter((key.get("id") or key.get("pk")).values()))
                self.items[(write["TableName"], json.dumps(key, sort_keys=True), second)] += 1
                self.partitions[(write["TableName"], partition, second)] += 1


def test_one_key_at_5000_requests_a_second_on_100_containers_keeps_every_item_under_its_partition_limit(
        environment: str) -> None:
    from tollway.aws_clients import client

    start_balance = 10_000 * 1_000_000  # 10,000 credits
    key, record = store.create_key("scale", start_balance, 1_000_000, ("ai:generate",))
    ref = parse_key(key)
    assert ref is not None
    containers = [LeaseBook() for _ in range(CONTAINERS)]
    counter = WriteCounter()
    events = client("dynamodb").meta.events
    events.register("before-send.dynamodb", counter)
    started = time.time()
    served = Counter[str]()

    def invocation(book: LeaseBook, n: int, now: float, second: int) -> None:
        """One Lambda invocation: admit, (the upstream answers), settle, flush before it ends."""
        counter.at(second)
        request_id = f"req_scale{n:07d}"
        usage = UsageRecord(request_id=request_id, key_id=ref.id, endpoint="chat.completions", model="gpt-4o-mini",
                            provider="openai", recorded_at=now)
        ticket = book.admit_blocking(ref, "ai:generate", RESERVE, now)
        if ticket is not None:
            ticket.settle(CHARGE, usage)
            served["leased"] += 1
        else:  # a container's first request reads the key per request
            admission = admit(ref, "ai:generate", RESERVE, now, Hold(request_id, 900, "chat.completions", "gpt-4o-mini"),
                              lambda item: book.observe(ref, item, now))
            settle(admission, CHARGE, usage)
            served["per_request"] += 1
        flush_invocation(book, now)

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            for second in range(SECONDS):
                # Each container serves its share of the second's requests one after another (a Lambda
                # container runs one invocation at a time); the containers run side by side.
                per_container = PER_SECOND // CONTAINERS

                def container(index: int, second: int = second, per_container: int = per_container) -> None:
                    for i in range(per_container):
                        n = (second * PER_SECOND) + index * per_container + i
                        now = started + second + (i * CONTAINERS + index) / PER_SECOND
                        invocation(containers[index], n, now, second)

                list(pool.map(container, range(CONTAINERS)))
    finally:
        events.unregister("before-send.dynamodb", counter)

    assert sum(served.values()) == PER_SECOND * SECONDS
    key_item = max(n for (table, _, _), n in counter.items.items() if table.endswith("KeysTable"))
    hottest_item = max(counter.items.values())
    hottest_partition = max(counter.partitions.values())
    usage_partitions = {p for (table, p, _) in counter.partitions if table.endswith("UsageTable")}
    print(f"\n{PER_SECOND} req/s on {CONTAINERS} containers: key item {key_item} writes/s, hottest item "
          f"{hottest_item}/s, hottest partition {hottest_partition}/s over {len(usage_partitions)} usage partitions")
    assert key_item < PARTITION_LIMIT
    assert hottest_item < PARTITION_LIMIT and hottest_partition < PARTITION_LIMIT
    assert len(usage_partitions) == 16  # the key's records are spread over all its shards
    # Nothing lost or double counted: every request has its record and its charge.
    books = assert_conserved(ref.id, start_balance)
    assert len(books.records) == PER_SECOND * SECONDS
    assert books.charges == CHARGE * PER_SECOND * SECONDS
