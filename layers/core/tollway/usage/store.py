"""Where usage records live: packed, several to a DynamoDB item, spread over a key's shards.

    single_item(record)                      # one request's record (per-request settlement, the sweeper)
    batch_item(key_id, "l…", 7, records)     # a lease's flush: every record it settled since the last one
    records_of(key_id, since=…, until=…)     # the key's records, oldest first

Item layout (UsageTable): `pk` = "<key id>#<shard>", `sk` = "<ISO time>#<request id>" for one record
or "<ISO time>#<lease id>#<seq>" for a batch (the time of its first record), `key_id`, `n` (records),
`credits_micro` (their sum), `provider` (a batch holds one provider's records), `day` =
"<YYYY-MM-DD>#<shard>" and `pday` = "<provider>#<day>" (the keys of the indexes the operator's
views use: every key's records of a day, and of a provider's day), `r` (the records:
zlib-compressed JSON). A single record's item also carries its `status`, which the late
settlement's condition reads.

Why packed and sharded: at 5,000 requests a second on one key, one item per record on one partition
key would be 5,000 writes a second to a partition that takes 1,000; batches make that a few writes a
second per process, and the 16 shards (chosen by the request id, or by the lease) spread what is left,
so no partition is hot. Locally, each record costs the emulator a fraction of a write instead of one.

A batch holds records of requests admitted up to TOLLWAY_MAX_REQUEST_SECONDS before its first
record's time, so time-range reads look back that far and filter each record by its own time.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from tollway.usage.records import UsageRecord, stamp

SHARDS = 16
# How far before a range's start a batch holding a record of the range may begin (a long request
# settles into a batch of later requests): TOLLWAY_MAX_REQUEST_SECONDS plus the flush interval.
LOOKBACK_S = 300.0


def shard_of(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS


def partition(key_id: str, shard: int) -> str:
    return f"{key_id}#{shard:02d}"


def pack(records: Iterable[dict[str, Any]]) -> bytes:
    return zlib.compress(json.dumps(list(records), separators=(",", ":")).encode(), 6)


def unpack(data: bytes) -> list[dict[str, Any]]:
    return json.loads(zlib.decompress(data))  # type: ignore[no-any-return]


def single_key(key_id: str, request_id: str, at: float) -> dict[str, Any]:
    return {"pk": {"S": partition(key_id, shard_of(request_id))}, "sk": {"S": f"{stamp(at)}#{request_id}"}}


def _indexed(provider: str, at: float, shard: int) -> dict[str, Any]:
    day = f"{stamp(at)[:10]}#{shard:02d}"
    return {"provider": {"S": provider}, "day": {"S": day}, "pday": {"S": f"{provider}#{day}"}}


def single_item(record: UsageRecord) -> dict[str, Any]:
    stored = record.to_dict()
    return single_key(record.key_id, record.request_id, stored["at"]) | {
        "key_id": {"S": record.key_id}, "n": {"N": "1"}, "credits_micro": {"N": str(record.credits_micro)},
        "status": {"S": record.status}, "r": {"B": pack([stored])}} | _indexed(
        record.provider, stored["at"], shard_of(record.request_id))


def batch_sort_key(lease_id: str, seq: int, first_at: float) -> str:
    return f"{stamp(first_at)}#{lease_id}#{seq:08d}"


def batch_item(key_id: str, lease_id: str, shard: int, seq: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    """`records` as stored dicts (UsageRecord.to_dict), one provider's, in the order they were settled."""
    first = min(r["at"] for r in records)
    return {"pk": {"S": partition(key_id, shard)}, "sk": {"S": batch_sort_key(lease_id, seq, first)},
            "key_id": {"S": key_id}, "n": {"N": str(len(records))},
            "credits_micro": {"N": str(sum(int(r["credits_micro"]) for r in records))},
            "lease": {"S": lease_id}, "seq": {"N": str(seq)}, "r": {"B": pack(records)}} | _indexed(
        records[0]["provider"], first, shard)


def item_records(item: dict[str, Any]) -> list[dict[str, Any]]:
    data = item["r"]["B"]
    return unpack(data if isinstance(data, bytes) else bytes(data))


def _items(key_id: str, since: float | None, until: float | None, ddb: Any = None,
           table: str | None = None) -> Iterator[dict[str, Any]]:
    from tollway.aws_clients import client
    from tollway.config import settings

    ddb = ddb or client("dynamodb")
    low = stamp(since - LOOKBACK_S) if since is not None else "0"
    high = stamp(until) + "~" if until is not None else "~"
    for shard in range(SHARDS):
        pages = ddb.get_paginator("query").paginate(
            TableName=table or settings().usage_table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
            ExpressionAttributeValues={":pk": {"S": partition(key_id, shard)}, ":low": {"S": low},
                                       ":high": {"S": high}})
        for page in pages:
            yield from page["Items"]


def records_of(key_id: str, *, since: float | None = None, until: float | None = None, ddb: Any = None,
               table: str | None = None) -> list[dict[str, Any]]:
    """The key's records (stored dicts) admitted in [since, until], oldest first (`ddb` and `table`:
    another store than this process's, as a test reading a served gateway's emulator)."""
    found = [record for item in _items(key_id, since, until, ddb, table) for record in item_records(item)
             if (since is None or record["at"] >= since) and (until is None or record["at"] <= until)]
    return sorted(found, key=lambda r: (r["at"], r["request_id"]))


def record_refusal(record: UsageRecord) -> None:
    """A request refused at admission by the store (402/429/403): no money moved, one PutItem says why."""
    from tollway.aws_clients import client
    from tollway.config import settings

    record.finish()
    client("dynamodb").put_item(TableName=settings().usage_table, Item=single_item(record))
