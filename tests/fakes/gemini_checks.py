"""The request checks of the fake Gemini upstream: what the real generateContent API refuses.

Written independently of tollway's translators (a fake sharing their code would share their
mistakes). Gemini rejects unknown JSON field names outright, so a translation that leaks an
OpenAI parameter fails here as it would there. For gemini-3* models a replayed function call
must carry its thought signature, as the real models require.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.scripted import is_base64

TOP_LEVEL = frozenset({"contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig",
                       "cachedContent"})
GENERATION_CONFIG = frozenset({
    "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities",
    "candidateCount", "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty",
    "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers", "speechConfig",
    "thinkingConfig", "mediaResolution", "imageConfig"})
DATA_FIELDS = ("text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode",
               "codeExecutionResult")
PART_EXTRAS = frozenset({"thought", "thoughtSignature", "videoMetadata", "partMetadata", "mediaResolution"})


class Refused(Exception):
    def __init__(self, message: str, status: int = 400, code: str = "INVALID_ARGUMENT",
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.code, self.reason = message, status, code, reason


def check_key(given: str | None, api_key: str) -> None:
    if not given:
        raise Refused("Method doesn't allow unregistered callers (callers without established identity). "
                      "Please use API Key or other form of API consumer identity to call this API.",
                      403, "PERMISSION_DENIED")
    if given != api_key:
        raise Refused("API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID")


def _unknown(obj: dict[str, Any], known: frozenset[str], where: str) -> None:
    for name in obj:
        if name not in known:
            raise Refused(f'Invalid JSON payload received. Unknown name "{name}" at \'{where}\': Cannot find field.')




def _check_part(part: Any, role: str, where: str) -> None:
    if not isinstance(part, dict):
        raise Refused(f"* GenerateContentRequest.{where}: must be an object")
    present = [name for name in DATA_FIELDS if name in part]
    _unknown(part, frozenset(DATA_FIELDS) | PART_EXTRAS, where)
    if len(present) != 1:
        raise Refused(f"* GenerateContentRequest.{where}.data: required oneof field 'data' must have one "
                      "initialized field")
    kind = present[0]
    if kind == "text" and not isinstance(part["text"], str):
        raise Refused(f"* GenerateContentRequest.{where}.text: must be a string")
    if kind == "inlineData":
        inline = part["inlineData"] or {}
        if not inline.get("mimeType") or not is_base64(inline.get("data")):
            raise Refused(f"* GenerateContentRequest.{where}.inline_data: needs mimeType and base64 data")
    if kind == "fileData" and not (part["fileData"] or {}).get("fileUri"):
        raise Refused(f"* GenerateContentRequest.{where}.file_data.file_uri: Required")
    if kind == "functionCall":
        call = part["functionCall"] or {}
        if role != "model":
            raise Refused(f"* GenerateContentRequest.{where}: function calls are only allowed in model turns")
        if not call.get("name") or not isinstance(call.get("args", {}), dict):
            raise Refused(f"* GenerateContentRequest.{where}.function_call: needs a name and object args")
    if kind == "functionResponse":
        response = part["functionResponse"] or {}
        if role != "user":
            raise Refused(f"* GenerateContentRequest.{where}: function responses are only allowed in user turns")
        if not response.get("name") or not isinstance(response.get("response"), dict):
            raise Refused(f"* GenerateContentRequest.{where}.function_response: needs a name and an object response")


def _check_contents(contents: Any, model: str) -> None:
    if not isinstance(contents, list) or not contents:
        raise Refused("* GenerateContentRequest.contents: contents is not specified")
    for i, content in enumerate(contents):
        role = content.get("role", "user")
        if role not in ("user", "model"):
            raise Refused(f"Please use a valid role: user, model. (contents[{i}].role)")
        parts = content.get("parts")
        if not isinstance(parts, list) or not parts:
            raise Refused(f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.")
        for j, part in enumerate(parts):
            _check_part(part, role, f"contents[{i}].parts[{j}]")
        calls = [p for p in parts if "functionCall" in p]
        if calls and model.startswith("gemini-3") and not calls[0].get("thoughtSignature"):
            raise Refused(f"Function call is missing a thought_signature in functionCall parts. Additional data, "
                          f"function call `{calls[0]['functionCall'].get('name')}`, position {i + 1}.")
        if calls:
            following = contents[i + 1]["parts"] if i + 1 < len(contents) else []
            answers = [p for p in following if isinstance(p, dict) and "functionResponse" in p]
            if len(answers) != len(calls):
                raise Refused("Please ensure that the number of function response parts is equal to the number "
                              "of function call parts of the function call turn.")


def _check_tools(body: dict[str, Any]) -> None:
    for k, tool in enumerate(body.get("tools") or ()):
        for d, declaration in enumerate(tool.get("functionDeclarations") or ()):
            where = f"tools[{k}].function_declarations[{d}]"
            if not declaration.get("name"):
                raise Refused(f"* GenerateContentRequest.{where}.name: Required")
            if "parameters" in declaration and "parametersJsonSchema" in declaration:
                raise Refused(f"* GenerateContentRequest.{where}: parameters and parametersJsonSchema are "
                              "mutually exclusive")
    config = (body.get("toolConfig") or {}).get("functionCallingConfig")
    if config:
        if config.get("mode") not in (None, "AUTO", "ANY", "NONE", "VALIDATED"):
            raise Refused("* GenerateContentRequest.tool_config.function_calling_config.mode: invalid value")
        if config.get("allowedFunctionNames") and config.get("mode") not in ("ANY", "VALIDATED"):
            raise Refused("* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: "
                          "only allowed when mode is ANY")


def check_body(body: Any, model: str) -> None:
    if not isinstance(body, dict):
        raise Refused("Invalid JSON payload received.")
    _unknown(body, TOP_LEVEL, "")
    _unknown(body.get("generationConfig") or {}, GENERATION_CONFIG, "generation_config")
    _check_contents(body.get("contents"), model)
    system = body.get("systemInstruction")
    if system is not None:
        for j, part in enumerate(system.get("parts") or ()):
            _check_part(part, "user", f"system_instruction.parts[{j}]")
    _check_tools(body)
