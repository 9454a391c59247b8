"""The store side of a prepaid lease: every write a lease makes, each one conditional UpdateItem (or
PutItem) on the key's item or the usage table. Synchronous (boto3); leases.py runs them in a thread.

A lease is an entry of the key item's `leases` map: `{amount, seq, after, shard, until, at}`.
- `amount`: micro-credits moved out of `balance` into the lease and not yet applied as charges;
- `seq`: the last batch of usage records (usage/store.py) whose charges were applied to `amount`;
  `after`: that batch's sort key, where a reader of later batches starts;
- `until`: when the sweeper may release it (a live process keeps pushing it forward);
- a released lease stays as a tombstone `{released: true, seq}`: the batches up to `seq` were
  accounted by the release, and a process that outlived its lease debits later ones itself.

The books always balance: start + top-ups = balance + charges recorded + holds + leases' `amount`
less the charges of their batches written but not yet applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger import rate_window as rate

LEASES = "leases"
# How long a released lease's tombstone stays: longer than any process could outlive its lease and
# still come back to debit what it settled after the release.
TOMBSTONE_S = 3600


@dataclass(frozen=True)
class KeyState:
    """What a conditional write on the key's item told us about the key (ReturnValues=ALL_NEW)."""

    key_hash: str
    scopes: frozenset[str]
    rpm: int
    balance: int
    revoked: bool
    minute_count: int  # requests counted in the minute of `at` (per-request admissions and lease slots)
    item: dict[str, Any]
    at: float  # when it was read

    @classmethod
    def of(cls, item: dict[str, Any], now: float) -> KeyState:
        return cls(key_hash=item.get("key_hash", {}).get("S", ""),
                   scopes=frozenset(item.get("scopes", {}).get("SS", [])), rpm=int(item.get("rpm", {}).get("N", 0)),
                   balance=int(item.get("balance", {}).get("N", 0)), revoked="revoked_at" in item,
                   minute_count=int(item.get(rate.attribute(rate.window(now)), {}).get("N", 0)), item=item, at=now)

    def lease(self, lease_id: str) -> dict[str, Any] | None:
        entry = self.item.get(LEASES, {}).get("M", {}).get(lease_id)
        return entry.get("M") if entry else None


class LeaseRefused(Exception):
    """A grow or acquisition the store refused; `state` is the key as it was (None: no such key)."""

    def __init__(self, state: KeyState | None) -> None:
        super().__init__("lease refused")
        self.state = state


class LeaseGone(Exception):
    """The lease was released (by the sweeper, or a replay): `tombstone` is what it left, if anything."""

    def __init__(self, tombstone: dict[str, Any] | None) -> None:
        super().__init__("lease released")
        self.tombstone = tombstone


def _key(key_id: str) -> dict[str, Any]:
    return {"id": {"S": key_id}}


def _updated(key_id: str, update: str, condition: str, names: dict[str, str], values: dict[str, Any]) -> bool:
    """One conditional UpdateItem of the key's item; False when its condition did not hold."""
    ddb = client("dynamodb")
    try:
        ddb.update_item(TableName=settings().keys_table, Key=_key(key_id), UpdateExpression=update,
                        ConditionExpression=condition, ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values)
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def _n(value: int | float) -> dict[str, str]:
    return {"N": str(value)}


def grow(key_id: str, key_hash: str, lease_id: str, shard: int, *, take: int, slots: int, rpm: int,
         new: bool, now: float, _retried: bool = False) -> KeyState:
    """Move `take` µc from the balance into the lease (creating it when `new`) and count `slots` more
    requests in the current minute, if the key is genuine and unrevoked, the balance covers `take` and
    the minute has room under `rpm`; push the lease's expiry forward. One conditional UpdateItem."""
    minute = rate.attribute(rate.window(now))
    names = {"#h": "key_hash", "#r": "revoked_at", "#b": "balance", "#ls": LEASES, "#l": lease_id, "#u": "last_used_at"}
    until = _n(int(now + settings().lease_ttl_s))
    values: dict[str, Any] = {":h": {"S": key_hash}, ":take": _n(take), ":now": _n(int(now))}
    sets = ["#b = #b - :take", "#u = :now"]
    conditions = ["#h = :h", "attribute_not_exists(#r)"]
    if new:
        values[":lease"] = {"M": {"amount": _n(take), "seq": _n(0), "after": {"S": ""}, "shard": _n(shard),
                                  "until": until, "at": _n(repr(now))}}
        sets.append("#ls.#l = :lease")
        conditions.append("attribute_not_exists(#ls.#l)")
    else:
        values[":until"] = until
        sets += ["#ls.#l.amount = #ls.#l.amount + :take", "#ls.#l.#until = :until"]
        names["#until"] = "until"
        conditions += ["attribute_exists(#ls.#l)", "attribute_not_exists(#ls.#l.released)"]
    if take > 0:
        conditions.append("#b >= :take")
    if slots:
        names["#cur"] = minute
        values |= {":slots": _n(slots), ":zero": _n(0), ":room": _n(rpm - slots)}
        sets.append("#cur = if_not_exists(#cur, :zero) + :slots")
        conditions.append("(attribute_not_exists(#cur) OR #cur <= :room)")
    ddb = client("dynamodb")
    try:
        item = ddb.update_item(
            TableName=settings().keys_table, Key=_key(key_id), UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression=" AND ".join(conditions), ExpressionAttributeNames=names,
            ExpressionAttributeValues=values, ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")["Attributes"]
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        raise LeaseRefused(KeyState.of(old, now) if old else None) from None
    except ddb.exceptions.ClientError as exc:
        if new and exc.response.get("Error", {}).get("Code") == "ValidationException" and not _retried:
            _ensure_leases_map(key_id)  # a key made before leases existed
            return grow(key_id, key_hash, lease_id, shard, take=take, slots=slots, rpm=rpm, new=new, now=now,
                        _retried=True)
        raise
    _drop_stale_windows(key_id, item, now)
    return KeyState.of(item, now)


def _ensure_leases_map(key_id: str) -> None:
    client("dynamodb").update_item(
        TableName=settings().keys_table, Key=_key(key_id), UpdateExpression="SET #ls = if_not_exists(#ls, :empty)",
        ConditionExpression="attribute_exists(id)", ExpressionAttributeNames={"#ls": LEASES},
        ExpressionAttributeValues={":empty": {"M": {}}})


def _drop_stale_windows(key_id: str, item: dict[str, Any], now: float) -> None:
    stale = rate.stale_attributes(item, rate.window(now))
    if len(stale) < 4:  # a few old minutes cost nothing; clearing them is one more write
        return
    names = {f"#w{i}": name for i, name in enumerate(stale)}
    client("dynamodb").update_item(TableName=settings().keys_table, Key=_key(key_id),
                                   UpdateExpression="REMOVE " + ", ".join(names), ExpressionAttributeNames=names)


def write_batch(item: dict[str, Any]) -> None:
    """Put one batch of usage records; a batch already there (a retry, a replay) is left as it is."""
    ddb = client("dynamodb")
    try:
        ddb.put_item(TableName=settings().usage_table, Item=item, ConditionExpression="attribute_not_exists(sk)")
    except ddb.exceptions.ConditionalCheckFailedException:
        # Only a batch that is really there may be applied to the lease: read it back rather than trust
        # the refusal (the charges it carries leave the balance only once their records are stored).
        key = {"pk": item["pk"], "sk": item["sk"]}
        if "Item" not in ddb.get_item(TableName=settings().usage_table, Key=key, ConsistentRead=True,
                                      ProjectionExpression="sk"):
            raise


def apply(key_id: str, lease_id: str, *, charges: int, seq: int, after: str, prev_seq: int, now: float) -> KeyState:
    """Apply the charges of batches (prev_seq, seq] to the lease, once; push its expiry forward."""
    ddb = client("dynamodb")
    try:
        item = ddb.update_item(
            TableName=settings().keys_table, Key=_key(key_id),
            UpdateExpression=("SET #ls.#l.amount = #ls.#l.amount - :charges, #ls.#l.seq = :seq, #ls.#l.#after = :after,"
                              " #ls.#l.#until = :until"),
            ConditionExpression="#ls.#l.seq = :prev AND attribute_not_exists(#ls.#l.released)",
            ExpressionAttributeNames={"#ls": LEASES, "#l": lease_id, "#after": "after", "#until": "until"},
            ExpressionAttributeValues={":charges": _n(charges), ":seq": _n(seq), ":after": {"S": after},
                                       ":prev": _n(prev_seq), ":until": _n(int(now + settings().lease_ttl_s))},
            ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")["Attributes"]
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item") or {}
        raise LeaseGone(KeyState.of(old, now).lease(lease_id) if old else None) from None
    return KeyState.of(item, now)


def debit_after_release(key_id: str, lease_id: str, *, charges: int, seq: int, accounted_seq: int) -> bool:
    """Batches (accounted_seq, seq] of a released lease: their charges come out of the balance (which may
    go below zero), exactly once. False if another writer moved the tombstone first (read it again)."""
    return _updated(key_id, "SET #b = #b - :charges, #ls.#l.seq = :seq",
                    "#ls.#l.released = :yes AND #ls.#l.seq = :prev",
                    {"#b": "balance", "#ls": LEASES, "#l": lease_id},
                    {":charges": _n(charges), ":seq": _n(seq), ":prev": _n(accounted_seq), ":yes": {"BOOL": True}})


def release(key_id: str, lease_id: str, *, amount: int, seq: int) -> bool:
    """Give an idle lease's `amount` back to the balance and forget it (its batches are all applied)."""
    return _updated(key_id, "SET #b = #b + :amount REMOVE #ls.#l",
                    "#ls.#l.amount = :amount AND #ls.#l.seq = :seq AND attribute_not_exists(#ls.#l.released)",
                    {"#b": "balance", "#ls": LEASES, "#l": lease_id},
                    {":amount": _n(amount), ":seq": _n(seq)})


def graduate(key_id: str, lease_id: str, hold_id: str, hold: dict[str, Any], amount: int) -> bool:
    """Move one request's reservation (`amount`) out of the lease into a hold of its own (a long stream
    that will checkpoint onto it); False if the lease is gone."""
    return _updated(key_id, "SET #ls.#l.amount = #ls.#l.amount - :amount, #p.#h = :hold",
                    "attribute_exists(#ls.#l) AND attribute_not_exists(#ls.#l.released)",
                    {"#ls": LEASES, "#l": lease_id, "#p": "pending", "#h": hold_id},
                    {":amount": _n(amount), ":hold": hold})


def read_key(key_id: str) -> dict[str, Any] | None:
    item = client("dynamodb").get_item(TableName=settings().keys_table, Key=_key(key_id), ConsistentRead=True)
    return item.get("Item")


def unapplied_batches(key_id: str, lease_id: str, entry: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(seq, charges, sort key) of the lease's batches written after its last applied one, in order."""
    from tollway.usage.store import partition

    ddb = client("dynamodb")
    applied = int(entry.get("seq", {}).get("N", 0))
    pages = ddb.get_paginator("query").paginate(
        TableName=settings().usage_table, ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND sk > :after", FilterExpression="#lease = :lease AND #seq > :applied",
        ExpressionAttributeNames={"#lease": "lease", "#seq": "seq"},
        ExpressionAttributeValues={":pk": {"S": partition(key_id, int(entry.get("shard", {}).get("N", 0)))},
                                   ":after": {"S": entry.get("after", {}).get("S", "") or "0"},
                                   ":lease": {"S": lease_id}, ":applied": _n(applied)})
    found = [(int(item["seq"]["N"]), int(item["credits_micro"]["N"]), item["sk"]["S"])
             for page in pages for item in page["Items"]]
    return sorted(found)


def release_abandoned(key_id: str, lease_id: str, entry: dict[str, Any], now: float) -> int | None:
    """Release a lease whose process is gone (expired, or adopted by a replay): account the charges of
    its unapplied batches, give the rest back to the balance and leave a tombstone. Returns the µc
    given back, or None if the lease changed meanwhile (its process is alive after all)."""
    batches = unapplied_batches(key_id, lease_id, entry)
    charges = sum(c for _, c, _ in batches)
    amount = int(entry["amount"]["N"])
    seq = batches[-1][0] if batches else int(entry.get("seq", {}).get("N", 0))
    after = batches[-1][2] if batches else entry.get("after", {}).get("S", "")
    ddb = client("dynamodb")
    try:
        ddb.update_item(
            TableName=settings().keys_table, Key=_key(key_id),
            UpdateExpression="SET #b = #b + :back, #ls.#l = :tomb",
            ConditionExpression="#ls.#l.amount = :amount AND #ls.#l.seq = :applied AND attribute_not_exists(#ls.#l.released)",
            ExpressionAttributeNames={"#b": "balance", "#ls": LEASES, "#l": lease_id},
            ExpressionAttributeValues={":back": _n(amount - charges), ":amount": _n(amount),
                                       ":applied": entry.get("seq", _n(0)),
                                       ":tomb": {"M": {"released": {"BOOL": True}, "seq": _n(seq), "amount": _n(0),
                                                       "shard": entry.get("shard", _n(0)), "after": {"S": after},
                                                       "until": _n(int(now + TOMBSTONE_S))}}})
    except ddb.exceptions.ConditionalCheckFailedException:
        return None
    return amount - charges


def forget_tombstone(key_id: str, lease_id: str) -> None:
    ddb = client("dynamodb")
    try:
        ddb.update_item(TableName=settings().keys_table, Key=_key(key_id), UpdateExpression="REMOVE #ls.#l",
                        ConditionExpression="#ls.#l.released = :yes",
                        ExpressionAttributeNames={"#ls": LEASES, "#l": lease_id},
                        ExpressionAttributeValues={":yes": {"BOOL": True}})
    except ddb.exceptions.ConditionalCheckFailedException:
        pass
