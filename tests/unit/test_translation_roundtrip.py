"""Round trips: OpenAI → Anthropic → OpenAI and Anthropic → OpenAI → Anthropic say the same thing.

"The same" after normalising what the formats cannot tell apart: a string vs one text part,
consecutive same-role messages vs one, where system text stood (Anthropic keeps it on top),
empty assistant content vs none, and argument JSON spelled differently.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.translation_cases import (
    ANTHROPIC_TIME,
    ANTHROPIC_WEATHER,
    OPENAI_TIME,
    OPENAI_WEATHER,
    PDF_URI,
    PNG,
    PNG_URI,
    assistant,
    call,
    chat,
    messages_body,
    text,
    tool,
    tool_result,
    tool_use,
    turn,
    user,
)
from tollway.wire.translate import chat_request_from_messages, messages_request_from_chat


def _parts(content: Any) -> list[dict[str, Any]]:
    parts = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
    return [p for p in parts if not (p.get("type") == "text" and not p.get("text"))]


def normal_chat(body: dict[str, Any]) -> dict[str, Any]:
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for message in body["messages"]:
        role = message["role"]
        if role in ("system", "developer"):
            system += [p["text"] for p in _parts(message["content"])]
            continue
        if role == "tool":
            entry = {"role": "tool", "id": message["tool_call_id"], "text": "".join(p["text"] for p in
                                                                                    _parts(message["content"]))}
            turns.append(entry)
            continue
        parts = _parts(message.get("content"))
        calls = [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"] or "{}"))
                 for c in message.get("tool_calls") or ()]
        if not parts and not calls:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["parts"] += parts
            turns[-1]["calls"] += calls
        else:
            turns.append({"role": role, "parts": parts, "calls": calls})
    keep = ("tools", "tool_choice", "stop", "temperature", "top_p", "user", "stream", "parallel_tool_calls")
    stop = body.get("stop")
    return {"system": system, "turns": turns, "stop": [stop] if isinstance(stop, str) else stop,
            **{k: body.get(k) for k in keep if k != "stop"}}


OPENAI_CONVERSATIONS = [
    ("text with system messages", chat({"role": "system", "content": "be brief"}, user("hi"), assistant("hello"),
                                       user("bye"), max_tokens=100)),
    ("multi-turn parallel tool calls", chat(
        user("weather and time?"),
        assistant("checking", call("call_a", "weather", '{"city": "Oslo"}'), call("call_b", "time", "{}")),
        tool("call_a", "cold"), tool("call_b", "noon"), assistant("cold at noon"), user("thanks"),
        tools=[OPENAI_WEATHER, OPENAI_TIME], tool_choice="required", parallel_tool_calls=False, max_tokens=100)),
    ("images and files", chat(user([text("what is this"), {"type": "image_url", "image_url": {"url": PNG_URI}},
                                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                                    {"type": "file", "file": {"filename": "a.pdf", "file_data": PDF_URI}}]),
                              max_tokens=100)),
    ("sampling and stops", chat(user("hi"), temperature=0.4, top_p=0.5, stop=["x", "y"], user="u-1", stream=True,
                                max_tokens=100)),
    ("named tool choice", chat(user("hi"), tools=[OPENAI_TIME], max_tokens=100,
                               tool_choice={"type": "function", "function": {"name": "time"}})),
]


@pytest.mark.parametrize("body", [c[1] for c in OPENAI_CONVERSATIONS], ids=[c[0] for c in OPENAI_CONVERSATIONS])
def test_openai_to_anthropic_and_back_keeps_the_conversation(body: dict[str, Any]) -> None:
    back = chat_request_from_messages(messages_request_from_chat(body).body)
    assert normal_chat(back) == normal_chat(body)
    assert back["max_tokens"] == body["max_tokens"]


def normal_messages(body: dict[str, Any]) -> dict[str, Any]:
    system = body.get("system")
    turns: list[dict[str, Any]] = []
    for message in body["messages"]:
        blocks = []
        for block in _parts(message["content"]):
            if block["type"] == "tool_result":
                content = block.get("content")
                block = {**block, "content": "".join(p["text"] for p in _parts(content))}
            blocks.append(block)
        if turns and turns[-1]["role"] == message["role"]:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": message["role"], "content": blocks})
    keep = ("tools", "tool_choice", "stop_sequences", "temperature", "top_p", "metadata", "stream", "max_tokens")
    return {"system": [b["text"] for b in _parts(system)], "messages": turns, **{k: body.get(k) for k in keep}}


ANTHROPIC_CONVERSATIONS = [
    ("text with system blocks", messages_body(user("hi"), turn("assistant", text("hello")), user("bye"),
                                              system=[text("a"), text("b")])),
    ("tool use loop", messages_body(
        user("weather?"), turn("assistant", text("checking"), tool_use("toolu_a", "weather", {"city": "Oslo"}),
                               tool_use("toolu_b", "time", {})),
        turn("user", tool_result("toolu_a", "cold"), tool_result("toolu_b", [text("noon")]), text("and?")),
        tools=[ANTHROPIC_WEATHER, ANTHROPIC_TIME], tool_choice={"type": "auto", "disable_parallel_tool_use": True})),
    ("image and user id", messages_body(turn("user", text("see"), {"type": "image", "source": {
        "type": "base64", "media_type": "image/png", "data": PNG}}), metadata={"user_id": "u"}, temperature=0.3,
        stop_sequences=["END"], stream=True)),
]


@pytest.mark.parametrize("body", [c[1] for c in ANTHROPIC_CONVERSATIONS], ids=[c[0] for c in ANTHROPIC_CONVERSATIONS])
def test_anthropic_to_openai_and_back_keeps_the_conversation(body: dict[str, Any]) -> None:
    back = messages_request_from_chat(chat_request_from_messages(body)).body
    assert normal_messages(back) == normal_messages(body)
