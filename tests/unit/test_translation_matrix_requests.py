"""The request half of the translation matrix: each feature × each direction, full expected bodies.

Directions: OpenAI chat → Anthropic messages (claude-* on /v1/chat/completions), Anthropic
messages → OpenAI chat (other models on /v1/messages), OpenAI chat → Gemini generateContent.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.translation_cases import (
    ANTHROPIC_TIME,
    ANTHROPIC_WEATHER,
    OPENAI_TIME,
    OPENAI_WEATHER,
    PDF,
    PDF_URI,
    PNG,
    PNG_URI,
    WAV,
    WEATHER_SCHEMA,
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
from tollway.errors import InvalidRequest
from tollway.wire.translate import (
    chat_request_from_messages,
    gemini_request_from_chat,
    generate_content_path,
    messages_request_from_chat,
)

# -- OpenAI chat → Anthropic messages ------------------------------------------------------------

HI = [user("hi")]
HI_TURN = [turn("user", text("hi"))]


def _anthropic(messages: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    return {"model": "any-model", "max_tokens": 100, **({"system": params.pop("system")} if "system" in params else {}),
            "messages": messages, **params}


TO_ANTHROPIC = [
    ("plain text", chat(*HI, max_tokens=100), _anthropic(HI_TURN)),
    ("system string", chat({"role": "system", "content": "be brief"}, *HI, max_tokens=100),
     _anthropic(HI_TURN, system=[text("be brief")])),
    ("multiple system and developer messages anywhere, in order",
     chat({"role": "system", "content": "one"}, user("hi"), {"role": "developer", "content": [text("two")]},
          assistant("ok"), {"role": "system", "content": "three"}, user("go"), max_tokens=100),
     _anthropic([turn("user", text("hi")), turn("assistant", text("ok")), turn("user", text("go"))],
                system=[text("one"), text("two"), text("three")])),
    ("consecutive user messages merge", chat(user("a"), user([text("b"), text("c")]), max_tokens=100),
     _anthropic([turn("user", text("a"), text("b"), text("c"))])),
    ("empty content is dropped", chat(user(""), user("hi"), assistant(""), assistant(None), user("go"), max_tokens=100),
     _anthropic([turn("user", text("hi"), text("go"))])),
    ("tool call and its result, ids kept",
     chat(user("weather?"), assistant(None, call("call_1", "weather", '{"city": "Paris"}')),
          tool("call_1", "sunny"), max_tokens=100),
     _anthropic([turn("user", text("weather?")), turn("assistant", tool_use("call_1", "weather", {"city": "Paris"})),
                 turn("user", tool_result("call_1", "sunny"))])),
    ("parallel tool calls: results in one user turn, first, before the next user text",
     chat(user("both"), assistant(None, call("call_a", "weather", '{"city":"Oslo"}'), call("call_b", "time", "{}")),
          tool("call_a", "cold"), tool("call_b", [text("noon")]), user("thanks"), max_tokens=100),
     _anthropic([turn("user", text("both")),
                 turn("assistant", tool_use("call_a", "weather", {"city": "Oslo"}), tool_use("call_b", "time", {})),
                 turn("user", tool_result("call_a", "cold"), tool_result("call_b", [text("noon")]), text("thanks"))])),
    ("tool results move before user text that came first",
     chat(user("go"), assistant(None, call("c1", "time", "")), user("also"), tool("c1", "noon"), max_tokens=100),
     _anthropic([turn("user", text("go")), turn("assistant", tool_use("c1", "time", {})),
                 turn("user", tool_result("c1", "noon"), text("also"))])),
    ("tool call with empty or missing arguments gets {}",
     chat(user("t"), assistant(None, call("c1", "time", ""), {"id": "c2", "type": "function",
                                                            "function": {"name": "time"}}),
          tool("c1", "1"), tool("c2", "2"), max_tokens=100),
     _anthropic([turn("user", text("t")), turn("assistant", tool_use("c1", "time", {}), tool_use("c2", "time", {})),
                 turn("user", tool_result("c1", "1"), tool_result("c2", "2"))])),
    ("interleaved text and tool calls", chat(user("t"), assistant("let me look", call("c1", "time", "{}")),
                                             tool("c1", ""), max_tokens=100),
     _anthropic([turn("user", text("t")), turn("assistant", text("let me look"), tool_use("c1", "time", {})),
                 turn("user", tool_result("c1"))])),
    ("tool ids Anthropic refuses are mapped the same on both sides",
     chat(user("t"), assistant(None, call("functions.time:0", "time", "{}")), tool("functions.time:0", "1"),
          max_tokens=100),
     _anthropic([turn("user", text("t")), turn("assistant", tool_use("functions_time_0", "time", {})),
                 turn("user", tool_result("functions_time_0", "1"))])),
    ("images: data URI, https URL, bare string form",
     chat(user([text("look"), {"type": "image_url", "image_url": {"url": PNG_URI, "detail": "high"}},
                {"type": "image_url", "image_url": {"url": "https://example.test/cat.jpg"}},
                {"type": "image_url", "image_url": "data:image/jpg;base64," + PNG}]), max_tokens=100),
     _anthropic([turn("user", text("look"),
                      {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                      {"type": "image", "source": {"type": "url", "url": "https://example.test/cat.jpg"}},
                      {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": PNG}})])),
    ("PDF and text files become documents",
     chat(user([{"type": "file", "file": {"filename": "a.pdf", "file_data": PDF_URI}},
                {"type": "file", "file": {"file_data": "data:text/plain;base64,aGVsbG8="}}]), max_tokens=100),
     _anthropic([turn("user", {"type": "document", "title": "a.pdf",
                               "source": {"type": "base64", "media_type": "application/pdf", "data": PDF}},
                      {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hello"}})])),
    ("cache_control on text parts is kept", chat(user([{"type": "text", "text": "long", "cache_control":
                                                        {"type": "ephemeral"}}]), max_tokens=100),
     _anthropic([turn("user", {"type": "text", "text": "long", "cache_control": {"type": "ephemeral"}})])),
    ("tools and tool_choice auto", chat(*HI, tools=[OPENAI_WEATHER, OPENAI_TIME], tool_choice="auto", max_tokens=100),
     _anthropic(HI_TURN, tools=[ANTHROPIC_WEATHER, ANTHROPIC_TIME], tool_choice={"type": "auto"})),
    ("tools without tool_choice leave Anthropic's default", chat(*HI, tools=[OPENAI_TIME], max_tokens=100),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME])),
    ("tool_choice required → any", chat(*HI, tools=[OPENAI_TIME], tool_choice="required", max_tokens=100),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME], tool_choice={"type": "any"})),
    ("tool_choice none", chat(*HI, tools=[OPENAI_TIME], tool_choice="none", max_tokens=100),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME], tool_choice={"type": "none"})),
    ("named tool_choice", chat(*HI, tools=[OPENAI_TIME], max_tokens=100,
                               tool_choice={"type": "function", "function": {"name": "time"}}),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME], tool_choice={"type": "tool", "name": "time"})),
    ("parallel_tool_calls false → disable_parallel_tool_use",
     chat(*HI, tools=[OPENAI_TIME], parallel_tool_calls=False, max_tokens=100),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME], tool_choice={"type": "auto", "disable_parallel_tool_use": True})),
    ("allowed_tools offers only those tools", chat(*HI, tools=[OPENAI_WEATHER, OPENAI_TIME], max_tokens=100,
                                                   tool_choice={"type": "allowed_tools", "allowed_tools": {
                                                       "mode": "required", "tools": [{"type": "function",
                                                                                      "function": {"name": "time"}}]}}),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME], tool_choice={"type": "any"})),
    ("tool_choice without tools is left out", chat(*HI, tool_choice="none", max_tokens=100), _anthropic(HI_TURN)),
    ("stop string and list", chat(*HI, stop="END", max_tokens=100), _anthropic(HI_TURN, stop_sequences=["END"])),
    ("stop list", chat(*HI, stop=["a", "b"], max_tokens=100), _anthropic(HI_TURN, stop_sequences=["a", "b"])),
    ("user → metadata.user_id", chat(*HI, user="u-1", max_tokens=100),
     _anthropic(HI_TURN, metadata={"user_id": "u-1"})),
    ("max_completion_tokens wins over max_tokens", chat(*HI, max_tokens=5, max_completion_tokens=100),
     _anthropic(HI_TURN)),
    ("default max_tokens when none is given", chat(*HI), {**_anthropic(HI_TURN), "max_tokens": 4096}),
    ("temperature above 1 is clamped", chat(*HI, temperature=1.7, max_tokens=100),
     _anthropic(HI_TURN, temperature=1.0)),
    ("sampling within range passes", chat(*HI, temperature=0.2, top_p=0.9, max_tokens=100),
     _anthropic(HI_TURN, temperature=0.2, top_p=0.9)),
    ("Anthropic extras via extra_body pass", chat(*HI, top_k=5, thinking={"type": "enabled", "budget_tokens": 2000},
                                                  max_tokens=100),
     _anthropic(HI_TURN, top_k=5, thinking={"type": "enabled", "budget_tokens": 2000})),
    ("OpenAI-only parameters are dropped", chat(*HI, seed=1, logprobs=True, presence_penalty=1, frequency_penalty=1,
                                                store=True, metadata={"a": "b"}, n=1, max_tokens=100,
                                                stream_options={"include_usage": True}, reasoning_effort="low"),
     _anthropic(HI_TURN)),
    ("stream", chat(*HI, stream=True, max_tokens=100), _anthropic(HI_TURN, stream=True)),
    ("response_format json_object → a system instruction",
     chat({"role": "system", "content": "s"}, *HI, response_format={"type": "json_object"}, max_tokens=100),
     _anthropic(HI_TURN, system=[text("s"), text("Answer with one valid JSON object and nothing else: "
                                                  "no prose, no code fence.")])),
]

JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "weather_report", "schema": WEATHER_SCHEMA}}
STRUCTURED_TOOL = {"name": "weather_report", "input_schema": WEATHER_SCHEMA,
                   "description": "Give the answer as this tool's input: it must match the schema exactly."}

TO_ANTHROPIC_STRUCTURED = [
    ("json_schema alone forces its tool", chat(*HI, response_format=JSON_SCHEMA, max_tokens=100),
     _anthropic(HI_TURN, tools=[STRUCTURED_TOOL], tool_choice={"type": "tool", "name": "weather_report"})),
    ("json_schema with tools lets the model call them or answer", chat(*HI, response_format=JSON_SCHEMA,
                                                                      tools=[OPENAI_TIME], max_tokens=100),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME, STRUCTURED_TOOL], tool_choice={"type": "any"})),
    ("json_schema with a named tool keeps the named choice",
     chat(*HI, response_format=JSON_SCHEMA, tools=[OPENAI_TIME], max_tokens=100,
          tool_choice={"type": "function", "function": {"name": "time"}}),
     _anthropic(HI_TURN, tools=[ANTHROPIC_TIME, STRUCTURED_TOOL], tool_choice={"type": "tool", "name": "time"})),
    ("json_schema named like a tool gets a free name",
     chat(*HI, tools=[{"type": "function", "function": {"name": "weather_report"}}], tool_choice="none",
          response_format=JSON_SCHEMA, max_tokens=100),
     _anthropic(HI_TURN, tools=[{"name": "weather_report", "input_schema": {"type": "object", "properties": {}}},
                                {**STRUCTURED_TOOL, "name": "weather_report_output"}],
                tool_choice={"type": "tool", "name": "weather_report_output"})),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in TO_ANTHROPIC], ids=[c[0] for c in TO_ANTHROPIC])
def test_openai_request_becomes_anthropic_request(body: dict[str, Any], expected: dict[str, Any]) -> None:
    translated = messages_request_from_chat(body)
    assert translated.body == expected
    assert translated.structured_tool is None


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in TO_ANTHROPIC_STRUCTURED],
                         ids=[c[0] for c in TO_ANTHROPIC_STRUCTURED])
def test_json_schema_becomes_a_structured_output_tool(body: dict[str, Any], expected: dict[str, Any]) -> None:
    translated = messages_request_from_chat(body)
    assert translated.body == expected
    assert translated.structured_tool == expected["tools"][-1]["name"]


# -- Anthropic messages → OpenAI chat ------------------------------------------------------------

FROM_ANTHROPIC = [
    ("plain text", messages_body(user("hi")), {"model": "any-model", "messages": [user("hi")], "max_tokens": 100}),
    ("system string", messages_body(user("hi"), system="be brief"),
     {"model": "any-model", "messages": [{"role": "system", "content": "be brief"}, user("hi")], "max_tokens": 100}),
    ("system blocks stay separate parts", messages_body(user("hi"), system=[text("a"), text("b")]),
     {"model": "any-model", "messages": [{"role": "system", "content": [text("a"), text("b")]}, user("hi")],
      "max_tokens": 100}),
    ("a system message inside messages stays where it is",
     messages_body(user("hi"), {"role": "system", "content": "now formal"}, user("go")),
     {"model": "any-model", "messages": [user("hi"), {"role": "system", "content": "now formal"}, user("go")],
      "max_tokens": 100}),
    ("text blocks, one → a string, several → parts", messages_body(turn("user", text("a")),
                                                                   turn("assistant", text("b"), text("c")),
                                                                   turn("user", text("d"), text("e"))),
     {"model": "any-model", "messages": [user("a"), assistant("bc"), user([text("d"), text("e")])], "max_tokens": 100}),
    ("images and documents", messages_body(turn(
        "user", text("see"),
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
        {"type": "document", "title": "r.pdf", "source": {"type": "base64", "media_type": "application/pdf",
                                                          "data": PDF}},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"}})),
     {"model": "any-model", "max_tokens": 100, "messages": [user([
         text("see"), {"type": "image_url", "image_url": {"url": PNG_URI}},
         {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
         {"type": "file", "file": {"filename": "r.pdf", "file_data": PDF_URI}}, text("notes")])]}),
    ("tool use, parallel, and results as tool messages right after",
     messages_body(user("both"), turn("assistant", text("checking"), tool_use("toolu_a", "weather", {"city": "Oslo"}),
                                      tool_use("toolu_b", "time", {})),
                   turn("user", tool_result("toolu_a", "cold"), tool_result("toolu_b", [text("no"), text("on")]),
                        text("thanks"))),
     {"model": "any-model", "max_tokens": 100, "messages": [
         user("both"),
         assistant("checking", call("toolu_a", "weather", '{"city":"Oslo"}'), call("toolu_b", "time", "{}")),
         tool("toolu_a", "cold"), tool("toolu_b", "no\non"), user("thanks")]}),
    ("tool_result errors and images", messages_body(
        user("go"), turn("assistant", tool_use("t1", "time", {})),
        turn("user", tool_result("t1", [text("boom"), {"type": "image", "source": {
            "type": "base64", "media_type": "image/png", "data": PNG}}], is_error=True))),
     {"model": "any-model", "max_tokens": 100, "messages": [
         user("go"), assistant(None, call("t1", "time", "{}")), tool("t1", "Error: boom"),
         user([{"type": "image_url", "image_url": {"url": PNG_URI}}])]}),
    ("tool_result without content", messages_body(user("go"), turn("assistant", tool_use("t1", "time", {})),
                                                  turn("user", tool_result("t1"))),
     {"model": "any-model", "max_tokens": 100, "messages": [user("go"), assistant(None, call("t1", "time", "{}")),
                                                            tool("t1", "")]}),
    ("thinking blocks are dropped from history",
     messages_body(user("q"), turn("assistant", {"type": "thinking", "thinking": "hm", "signature": "s"},
                                   {"type": "redacted_thinking", "data": "x"}, text("a"))),
     {"model": "any-model", "max_tokens": 100, "messages": [user("q"), assistant("a")]}),
    ("tools and tool choices", messages_body(user("hi"), tools=[ANTHROPIC_WEATHER, ANTHROPIC_TIME],
                                             tool_choice={"type": "any", "disable_parallel_tool_use": True}),
     {"model": "any-model", "messages": [user("hi")], "max_tokens": 100, "tools": [OPENAI_WEATHER, OPENAI_TIME],
      "tool_choice": "required", "parallel_tool_calls": False}),
    ("named tool choice", messages_body(user("hi"), tools=[ANTHROPIC_TIME],
                                        tool_choice={"type": "tool", "name": "time"}),
     {"model": "any-model", "messages": [user("hi")], "max_tokens": 100, "tools": [OPENAI_TIME],
      "tool_choice": {"type": "function", "function": {"name": "time"}}}),
    ("tool choice auto and none", messages_body(user("hi"), tools=[ANTHROPIC_TIME], tool_choice={"type": "none"}),
     {"model": "any-model", "messages": [user("hi")], "max_tokens": 100, "tools": [OPENAI_TIME],
      "tool_choice": "none"}),
    ("sampling, stops, user; top_k dropped", messages_body(user("hi"), temperature=0.5, top_p=0.8, top_k=3,
                                                           stop_sequences=["X"], metadata={"user_id": "u"}),
     {"model": "any-model", "messages": [user("hi")], "max_tokens": 100, "stop": ["X"], "temperature": 0.5,
      "top_p": 0.8, "user": "u"}),
    ("stream asks for the usage chunk", messages_body(user("hi"), stream=True),
     {"model": "any-model", "messages": [user("hi")], "max_tokens": 100, "stream": True,
      "stream_options": {"include_usage": True}}),
    ("structured output → response_format json_schema",
     messages_body(user("hi"), output_config={"format": {"type": "json_schema", "schema": WEATHER_SCHEMA}}),
     {"model": "any-model", "messages": [user("hi")], "max_tokens": 100,
      "response_format": {"type": "json_schema", "json_schema": {"name": "output", "schema": WEATHER_SCHEMA}}}),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in FROM_ANTHROPIC], ids=[c[0] for c in FROM_ANTHROPIC])
def test_anthropic_request_becomes_openai_request(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert chat_request_from_messages(body) == expected


def test_token_limit_goes_in_the_field_the_upstream_takes() -> None:
    body = chat_request_from_messages(messages_body(user("hi")), token_limit_param="max_completion_tokens")
    assert body["max_completion_tokens"] == 100 and "max_tokens" not in body


# -- OpenAI chat → Gemini -----------------------------------------------------------------------

def _gemini(*contents: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"contents": list(contents), **fields}


def g_user(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "parts": list(parts)}


def g_model(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "model", "parts": list(parts)}


SKIP = "skip_thought_signature_validator"

TO_GEMINI = [
    ("plain text", chat(user("hi")), _gemini(g_user({"text": "hi"}))),
    ("system and developer messages → systemInstruction, in order",
     chat({"role": "system", "content": "one"}, user("hi"), {"role": "developer", "content": [text("two")]}),
     _gemini(g_user({"text": "hi"}), systemInstruction={"parts": [{"text": "one"}, {"text": "two"}]})),
    ("roles and merging", chat(user("a"), user("b"), assistant("c"), assistant(""), user("d")),
     _gemini(g_user({"text": "a"}, {"text": "b"}), g_model({"text": "c"}), g_user({"text": "d"}))),
    ("images: data URI inline, URL by reference with its type",
     chat(user([{"type": "image_url", "image_url": {"url": PNG_URI}},
                {"type": "image_url", "image_url": {"url": "https://x.test/photo.webp?s=1"}},
                {"type": "image_url", "image_url": {"url": "https://x.test/render"}}])),
     _gemini(g_user({"inlineData": {"mimeType": "image/png", "data": PNG}},
                    {"fileData": {"mimeType": "image/webp", "fileUri": "https://x.test/photo.webp?s=1"}},
                    {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://x.test/render"}}))),
    ("audio and files inline", chat(user([{"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
                                          {"type": "input_audio", "input_audio": {"data": WAV, "format": "mp3"}},
                                          {"type": "file", "file": {"file_data": PDF_URI, "filename": "a.pdf"}}])),
     _gemini(g_user({"inlineData": {"mimeType": "audio/wav", "data": WAV}},
                    {"inlineData": {"mimeType": "audio/mpeg", "data": WAV}},
                    {"inlineData": {"mimeType": "application/pdf", "data": PDF}}))),
    ("tool calls and results: names recovered, signature kept or skipped, parallel",
     chat(user("both"),
          assistant("checking", {**call("c1", "weather", '{"city":"Oslo"}'),
                                 "extra_content": {"google": {"thought_signature": "SIG"}}},
                    call("c2", "time", "")),
          tool("c2", "noon"), tool("c1", '{"temp": -3}'),
          assistant(None, call("c3", "time", None)), tool("c3", [text("later")])),
     _gemini(g_user({"text": "both"}),
             g_model({"text": "checking"},
                     {"functionCall": {"name": "weather", "args": {"city": "Oslo"}, "id": "c1"},
                      "thoughtSignature": "SIG"},
                     {"functionCall": {"name": "time", "args": {}, "id": "c2"}}),
             g_user({"functionResponse": {"id": "c2", "name": "time", "response": {"output": "noon"}}},
                    {"functionResponse": {"id": "c1", "name": "weather", "response": {"temp": -3}}}),
             g_model({"functionCall": {"name": "time", "args": {}, "id": "c3"}, "thoughtSignature": SKIP}),
             g_user({"functionResponse": {"id": "c3", "name": "time", "response": {"output": "later"}}}))),
    ("tools and tool_choice auto", chat(user("hi"), tools=[OPENAI_WEATHER, OPENAI_TIME], tool_choice="auto"),
     _gemini(g_user({"text": "hi"}), tools=[{"functionDeclarations": [
         {"name": "weather", "description": "Weather in a city", "parametersJsonSchema": WEATHER_SCHEMA},
         {"name": "time", "description": "", "parametersJsonSchema": {"type": "object", "properties": {}}}]}],
         toolConfig={"functionCallingConfig": {"mode": "AUTO"}})),
    ("tool_choice required, none, named", chat(user("hi"), tools=[OPENAI_TIME],
                                               tool_choice={"type": "function", "function": {"name": "time"}}),
     _gemini(g_user({"text": "hi"}), tools=[{"functionDeclarations": [
         {"name": "time", "description": "", "parametersJsonSchema": {"type": "object", "properties": {}}}]}],
         toolConfig={"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["time"]}})),
    ("generation config", chat(user("hi"), temperature=1.5, top_p=0.9, top_k=4, max_completion_tokens=50, stop="END",
                               n=2, seed=7, presence_penalty=0.5, frequency_penalty=0.25, user="u",
                               parallel_tool_calls=False),
     _gemini(g_user({"text": "hi"}), generationConfig={
         "temperature": 1.5, "topP": 0.9, "topK": 4, "seed": 7, "presencePenalty": 0.5, "frequencyPenalty": 0.25,
         "maxOutputTokens": 50, "stopSequences": ["END"], "candidateCount": 2})),
    ("json_object", chat(user("hi"), response_format={"type": "json_object"}),
     _gemini(g_user({"text": "hi"}), generationConfig={"responseMimeType": "application/json"})),
    ("json_schema", chat(user("hi"), response_format=JSON_SCHEMA),
     _gemini(g_user({"text": "hi"}), generationConfig={"responseMimeType": "application/json",
                                                       "responseJsonSchema": WEATHER_SCHEMA})),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in TO_GEMINI], ids=[c[0] for c in TO_GEMINI])
def test_openai_request_becomes_gemini_request(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert gemini_request_from_chat(body) == expected


@pytest.mark.parametrize(("choice", "config"), [("required", {"mode": "ANY"}), ("none", {"mode": "NONE"}),
                                                ("auto", {"mode": "AUTO"})])
def test_gemini_tool_choice_modes(choice: str, config: dict[str, Any]) -> None:
    body = gemini_request_from_chat(chat(user("hi"), tools=[OPENAI_TIME], tool_choice=choice))
    assert body["toolConfig"] == {"functionCallingConfig": config}


def test_gemini_paths() -> None:
    assert generate_content_path("gemini-2.5-flash", stream=False) == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert generate_content_path("models/gemini-2.5-flash", stream=True) == \
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"


# -- refusals: a clear 400 naming the param, in every direction --------------------------------------

BAD_CALL = assistant(None, call("c1", "time", "{not json"))
REFUSALS = [
    ("anthropic: invalid tool arguments", messages_request_from_chat, chat(user("t"), BAD_CALL, tool("c1", "x")),
     "invalid_value", "messages.1.tool_calls.0.function.arguments"),
    ("anthropic: tool arguments not an object", messages_request_from_chat,
     chat(user("t"), assistant(None, call("c1", "time", "[1]")), tool("c1", "x")),
     "invalid_value", "messages.1.tool_calls.0.function.arguments"),
    ("anthropic: audio input", messages_request_from_chat,
     chat(user([text("listen"), {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}}])),
     "audio_not_supported_by_model", "messages.0.content.1"),
    ("anthropic: n > 1", messages_request_from_chat, chat(user("hi"), n=2), "unsupported_value", "n"),
    ("anthropic: BMP image", messages_request_from_chat,
     chat(user([{"type": "image_url", "image_url": {"url": "data:image/bmp;base64," + PNG}}])),
     "unsupported_content", "messages.0.content.0.image_url.url"),
    ("anthropic: image URL that is neither https nor data", messages_request_from_chat,
     chat(user([{"type": "image_url", "image_url": {"url": "ftp://x/a.png"}}])),
     "invalid_value", "messages.0.content.0.image_url.url"),
    ("anthropic: file by id", messages_request_from_chat, chat(user([{"type": "file", "file": {"file_id": "file-1"}}])),
     "unsupported_content", "messages.0.content.0.file"),
    ("anthropic: nothing but empty messages", messages_request_from_chat, chat(user(""), assistant(None)),
     "invalid_value", "messages"),
    ("anthropic: legacy function role", messages_request_from_chat,
     chat(user("hi"), {"role": "function", "name": "f", "content": "x"}), "unsupported_value", "messages.1.role"),
    ("anthropic: json_schema that is not an object", messages_request_from_chat,
     chat(user("hi"), response_format={"type": "json_schema",
                                       "json_schema": {"name": "n", "schema": {"type": "array"}}}),
     "invalid_value", "response_format.json_schema.schema"),
    ("anthropic: custom tools", messages_request_from_chat,
     chat(user("hi"), tools=[{"type": "custom", "custom": {"name": "x"}}]), "unsupported_value", "tools.0.type"),
    ("openai: Anthropic server tool", chat_request_from_messages,
     messages_body(user("hi"), tools=[{"type": "web_search_20250305", "name": "web_search"}]),
     "unsupported_value", "tools.0.type"),
    ("openai: PDF by URL", chat_request_from_messages,
     messages_body(turn("user", {"type": "document", "source": {"type": "url", "url": "https://x.test/a.pdf"}})),
     "unsupported_content", "messages.0.content.0.source.type"),
    ("openai: more than four stop sequences", chat_request_from_messages,
     messages_body(user("hi"), stop_sequences=list("abcde")), "invalid_value", "stop_sequences"),
    ("openai: search results", chat_request_from_messages,
     messages_body(turn("user", {"type": "search_result", "source": "s", "title": "t", "content": []})),
     "unsupported_content", "messages.0.content.0.type"),
    ("gemini: invalid tool arguments", gemini_request_from_chat, chat(user("t"), BAD_CALL, tool("c1", "x")),
     "invalid_value", "messages.1.tool_calls.0.function.arguments"),
    ("gemini: tool result for an unknown call", gemini_request_from_chat,
     chat(user("t"), assistant(None, call("c1", "time", "{}")), tool("c9", "x")), "invalid_value",
     "messages.2.tool_call_id"),
    ("gemini: audio in an unknown format", gemini_request_from_chat,
     chat(user([{"type": "input_audio", "input_audio": {"data": WAV, "format": "aac"}}])),
     "invalid_value", "messages.0.content.0.input_audio"),
    ("gemini: image data that is not base64", gemini_request_from_chat,
     chat(user([{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}])),
     "invalid_value", "messages.0.content.0.image_url.url"),
]


@pytest.mark.parametrize(("translate", "body", "code", "param"), [c[1:] for c in REFUSALS],
                         ids=[c[0] for c in REFUSALS])
def test_untranslatable_input_is_a_400_naming_the_param(translate: Any, body: dict[str, Any], code: str,
                                                         param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        translate(body)
    assert (refused.value.status, refused.value.code, refused.value.param) == (400, code, param)
    assert refused.value.message.startswith(param)
