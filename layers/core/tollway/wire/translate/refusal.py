"""The one way translators refuse input: a 400 whose message starts with the `param` it names.

    raise refuse("messages.2.tool_call_id", "no assistant tool call has this id")
    # InvalidRequest("messages.2.tool_call_id: no assistant tool call has this id", param=..., code="invalid_value")
"""

from __future__ import annotations

from tollway.errors import InvalidRequest


def refuse(param: str, reason: str, code: str = "invalid_value") -> InvalidRequest:
    return InvalidRequest(f"{param}: {reason}", code=code, param=param)
