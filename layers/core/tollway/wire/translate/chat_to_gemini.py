"""An OpenAI Chat Completions request → a Gemini `GenerateContentRequest` (gemini-* models).

    body = gemini_request_from_chat(chat_body)
    path = generate_content_path("gemini-2.5-flash", stream=True)
    # POST {GEMINI_BASE_URL}{path} with header x-goog-api-key: <key>

What changes on the way:
- system and developer messages become `systemInstruction`, in order; user → role "user",
  assistant → role "model"; consecutive turns of one role merge;
- `tool` messages become `functionResponse` parts of one user turn. Gemini wants the function's
  name there, which OpenAI tool messages lack: it is found from the assistant tool call with the
  same id. The response must be an object: a tool that returned a JSON object is passed as that
  object, anything else as {"output": text} (Gemini's documented key for a function's output);
- images: a data URI becomes `inlineData`, an http(s) URL `fileData` (MIME type from the path's
  extension, else image/jpeg); `input_audio` becomes audio `inlineData`; `file` data URIs
  (PDF and other documents) become `inlineData`;
- thought signatures: Gemini 3 refuses a replayed function call without the signature it was
  given. Replies carry it as `extra_content.google.thought_signature` on the tool call (as Google's
  own OpenAI-compatible endpoint does) and it is put back here; a call without one (another
  model's, or a client that dropped it) gets Google's documented "skip validation" value;
- generationConfig: temperature, top_p, top_k (extra), max tokens, stop, n → candidateCount,
  seed, penalties; response_format json_object → JSON MIME type, json_schema → `responseJsonSchema`
  (full JSON Schema, so no conversion to Gemini's OpenAPI subset is needed; likewise tools use
  `parametersJsonSchema`);
- tool_choice → functionCallingConfig AUTO / ANY / NONE (a named function: ANY restricted to it).
  `parallel_tool_calls` and `user` have no Gemini equivalent and are dropped.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tollway.wire.json_text import parse_json
from tollway.wire.translate.refusal import refuse
from tollway.wire.translate.data_uri import DataURI, is_web_url, media_type_for_url
from tollway.wire.translate.tool_calls import arguments_object

Body = dict[str, Any]

SKIP_SIGNATURE = "skip_thought_signature_validator"
_AUDIO_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg"}


def generate_content_path(model: str, *, stream: bool) -> str:
    """The v1beta path of a model's generate method; streams are asked for as SSE."""
    name = quote(model.removeprefix("models/"), safe="-._")
    return f"/v1beta/models/{name}:" + ("streamGenerateContent?alt=sse" if stream else "generateContent")


def thought_signature(call: Body) -> str | None:
    google = (call.get("extra_content") or {}).get("google") or {}
    signature = google.get("thought_signature")
    return signature if isinstance(signature, str) and signature else None


def gemini_request_from_chat(body: Body) -> Body:
    names: dict[str, str] = {}  # tool call id → function name, from the latest assistant turn using it
    system: list[Body] = []
    contents: list[Body] = []
    for i, message in enumerate(body.get("messages") or ()):
        where = f"messages.{i}"
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_parts(message.get("content"), where, text_only=True))
        elif role == "user":
            _add(contents, "user", _parts(message.get("content"), where))
        elif role == "assistant":
            names.update(_call_names(message))
            _add(contents, "model", _model_parts(message, where))
        elif role == "tool":
            _add(contents, "user", [_function_response(message, names, where)])
        else:
            raise refuse(f"{where}.role", f"{role!r} messages are not supported for this model; use tools",
                         "unsupported_value")
    if not contents:
        raise refuse("messages", "at least one user or assistant message needs non-empty content")
    out: Body = {"contents": contents}
    if system:
        out["systemInstruction"] = {"parts": system}
    tools = [_declaration(tool, k) for k, tool in enumerate(body.get("tools") or ())]
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = choice.get("allowed_tools") or {}
        keep = {(t.get("function") or {}).get("name") for t in allowed.get("tools") or ()}
        tools = [t for t in tools if t["name"] in keep]
        choice = "required" if allowed.get("mode") == "required" else "auto"
    if tools:
        out["tools"] = [{"functionDeclarations": tools}]
        if choice is not None:
            out["toolConfig"] = {"functionCallingConfig": _calling_config(choice)}
    config = _generation_config(body)
    if config:
        out["generationConfig"] = config
    return out


def _call_names(message: Body) -> dict[str, str]:
    return {call["id"]: (call.get("function") or {}).get("name")
            for call in message.get("tool_calls") or () if call.get("id")}


def _add(contents: list[Body], role: str, parts: list[Body]) -> None:
    if not parts:
        return
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def _parts(content: Any, where: str, *, text_only: bool = False) -> list[Body]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise refuse(f"{where}.content", "must be a string or a list of parts")
    parts = []
    for j, part in enumerate(content):
        param = f"{where}.content.{j}"
        kind = part.get("type")
        if kind in ("text", "refusal"):
            text = part.get("text") or part.get("refusal")
            if text:
                parts.append({"text": text})
        elif text_only:
            raise refuse(param, "only text parts are allowed here")
        elif kind == "image_url":
            parts.append(_image(part.get("image_url"), param))
        elif kind == "input_audio":
            audio = part.get("input_audio") or {}
            media_type = _AUDIO_TYPES.get(str(audio.get("format")))
            if media_type is None or not isinstance(audio.get("data"), str):
                raise refuse(f"{param}.input_audio", "format must be wav or mp3, with base64 data")
            parts.append({"inlineData": {"mimeType": media_type, "data": audio["data"]}})
        elif kind == "file":
            parts.append(_file((part.get("file") or {}), param))
        else:
            raise refuse(f"{param}.type", f"content parts of type {kind!r} are not supported for this model",
                         "unsupported_content")
    return parts


def _image(image_url: Any, param: str) -> Body:
    url = image_url.get("url") if isinstance(image_url, dict) else image_url
    if isinstance(url, str) and is_web_url(url):
        return {"fileData": {"mimeType": media_type_for_url(url, "image/jpeg"), "fileUri": url}}
    data = DataURI.parse(url) if isinstance(url, str) else None
    if data is None or not data.decodes():
        raise refuse(f"{param}.image_url.url", "must be an https URL or a base64 data URI")
    return {"inlineData": {"mimeType": data.media_type, "data": data.data}}


def _file(file: Body, param: str) -> Body:
    data = DataURI.parse(file.get("file_data") or "")
    if data is None or not data.decodes():
        what = "file_id references are" if file.get("file_id") else "file_data must be a base64 data URI:"
        raise refuse(f"{param}.file", f"{what} not supported for this model", "unsupported_content")
    return {"inlineData": {"mimeType": data.media_type, "data": data.data}}


def _model_parts(message: Body, where: str) -> list[Body]:
    parts = _parts(message.get("content"), where, text_only=True)
    for k, call in enumerate(message.get("tool_calls") or ()):
        param = f"{where}.tool_calls.{k}"
        function = call.get("function") or {}
        function_call: Body = {"name": function.get("name"),
                               "args": arguments_object(function.get("arguments"), param=f"{param}.function.arguments")}
        if call.get("id"):
            function_call["id"] = call["id"]
        part: Body = {"functionCall": function_call}
        # Gemini signs the first call of a turn (parallel calls after it carry no signature).
        signature = thought_signature(call) or (SKIP_SIGNATURE if k == 0 else None)
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    return parts


def _function_response(message: Body, names: dict[str, str], where: str) -> Body:
    call_id = message.get("tool_call_id")
    name = names.get(call_id) if isinstance(call_id, str) else None
    if not name:
        raise refuse(f"{where}.tool_call_id", f"no assistant tool call has the id {call_id!r}")
    content = message.get("content")
    text = content if isinstance(content, str) else "".join(
        p.get("text", "") for p in content or () if isinstance(p, dict) and p.get("type") == "text")
    try:
        parsed = parse_json(text)
    except ValueError:
        parsed = None
    response: Body = {"id": call_id, "name": name,
                      "response": parsed if isinstance(parsed, dict) else {"output": text}}
    return {"functionResponse": response}


def _declaration(tool: Body, k: int) -> Body:
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, dict):
        raise refuse(f"tools.{k}.type", "only function tools are supported for this model", "unsupported_value")
    declaration: Body = {"name": function.get("name"), "description": function.get("description") or ""}
    if function.get("parameters"):
        declaration["parametersJsonSchema"] = function["parameters"]
    return declaration


def _calling_config(choice: Any) -> Body:
    if choice in ("auto", "none"):
        return {"mode": str(choice).upper()}
    if choice == "required":
        return {"mode": "ANY"}
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"mode": "ANY", "allowedFunctionNames": [(choice.get("function") or {}).get("name")]}
    raise refuse("tool_choice", "must be none, auto, required or a named function")


def _generation_config(body: Body) -> Body:
    config: Body = {}
    for source, target in (("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK"),
                           ("seed", "seed"), ("presence_penalty", "presencePenalty"),
                           ("frequency_penalty", "frequencyPenalty")):
        if body.get(source) is not None:
            config[target] = body[source]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if limit:
        config["maxOutputTokens"] = limit
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if (body.get("n") or 1) > 1:
        config["candidateCount"] = body["n"]
    response_format = body.get("response_format") or {}
    if response_format.get("type") in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
        schema = (response_format.get("json_schema") or {}).get("schema")
        if response_format.get("type") == "json_schema" and schema:
            config["responseJsonSchema"] = schema
    return config
