"""Attempt limits for what can be guessed or spammed without a key: device codes, sign-in prompts.

    count_attempt(f"redeem-ip#{ip}", limit=5)       # raises RateLimited (429, Retry-After) past the limit
    forgive_attempt(f"redeem-ip#{ip}")              # it succeeded: only failures use up the allowance

A fixed window per bucket: one conditional UpdateItem that counts the attempt only while the count is
below the limit, so however many processes answer at once, at most `limit` attempts are in play in
a window. An attempt that turns out right is given back afterwards, so a guesser is held to `limit`
failures while an office behind one address can still redeem its codes. The counters expire with
their window (DynamoDB TTL).
"""

from __future__ import annotations

import math
import time

from tollway.auth import account_table as t
from tollway.errors import RateLimited

WINDOW_S = 60
BUCKET_MAX = 200


def _key(bucket: str, window: int) -> dict[str, dict[str, str]]:
    return t.key(f"attempts#{bucket[:BUCKET_MAX]}#{window}", "attempts")


def count_attempt(bucket: str, limit: int, window_s: int = WINDOW_S, now: float | None = None) -> None:
    now = time.time() if now is None else now
    window = int(now // window_s)
    ddb = t.ddb()
    try:
        ddb.update_item(TableName=t.table(), Key=_key(bucket, window),
                        UpdateExpression="ADD tries :one SET expires_at = :expires",
                        ConditionExpression="attribute_not_exists(tries) OR tries < :limit",
                        ExpressionAttributeValues={":one": t.n(1), ":limit": t.n(limit),
                                                   ":expires": t.n((window + 2) * window_s)})
    except ddb.exceptions.ConditionalCheckFailedException:
        retry = max(1, math.ceil((window + 1) * window_s - now))
        raise RateLimited(f"Too many attempts: try again in {retry} s", code="too_many_attempts",
                          headers={"retry-after": str(retry)}) from None


def forgive_attempt(bucket: str, window_s: int = WINDOW_S, now: float | None = None) -> None:
    """Give back an attempt counted in this window (if the window turned over meanwhile, there is none
    to give back: the new window's count is left alone)."""
    window = int((time.time() if now is None else now) // window_s)
    ddb = t.ddb()
    try:
        ddb.update_item(TableName=t.table(), Key=_key(bucket, window), UpdateExpression="ADD tries :minus",
                        ConditionExpression="tries > :zero", ExpressionAttributeValues={":minus": t.n(-1), ":zero": t.n(0)})
    except ddb.exceptions.ConditionalCheckFailedException:
        pass
