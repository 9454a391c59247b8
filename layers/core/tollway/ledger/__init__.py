"""Money and rate allowance: leases, admission, settlement, refunds, the sweeper — all of it, and only here.

    meter = await admit_call(key, Call(scope="ai:generate", endpoint="embeddings", model=spec.id,
                                       provider=spec.provider, reserve=cost, request_id=rid))
    await meter.settle(charge, prompt_tokens=n)
    frames = metered_stream(meter, source, usage.bill, close=upstream.aclose, failure_frame=encode)
"""

from tollway.ledger.flush import flush_all, flush_invocation
from tollway.ledger.meter import Call, Meter, admit_call
from tollway.ledger.stream import Bill, Ending, TokenStreamUsage, metered_stream

__all__ = ["Bill", "Call", "Ending", "Meter", "TokenStreamUsage", "admit_call", "flush_all", "flush_invocation",
           "metered_stream"]
