"""Who is calling: the key as presented, what it names, and the request it came with.

    caller = Caller(api_key, request_id)             # at the edge; nothing is checked yet
    caller.ref                                       # KeyRef(id, hash), or a 401 for a key not shaped like ours
    record = await caller.verified("ai:read")        # its record: 401/403 unless genuine, live and allowed
    raise await caller.refusal("ai:generate", exc)   # a model or provider problem, told only to a valid key

The key is parsed on first use of `ref`, not at the edge: each use case says whether a malformed key
(401) is told before its own request checks (400) or after them, as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import anyio

from tollway.auth.authenticate import authenticate, key_ref, refuse_after_auth
from tollway.auth.keys import KeyRef
from tollway.auth.store import KeyRecord
from tollway.errors import TollwayError


@dataclass(frozen=True)
class Caller:
    key: str  # as presented: only its hash is ever stored or compared
    request_id: str = ""

    @cached_property
    def ref(self) -> KeyRef:
        return key_ref(self.key)

    async def verified(self, scope: str) -> KeyRecord:
        return await anyio.to_thread.run_sync(authenticate, self.key, scope)

    async def refusal(self, scope: str, error: TollwayError) -> TollwayError:
        return await refuse_after_auth(self.key, scope, error)

    def __repr__(self) -> str:
        return f"Caller(request_id={self.request_id!r})"  # never the key, in a log line or a trace
