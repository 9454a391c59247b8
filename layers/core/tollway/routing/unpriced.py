"""Request options that make a provider bill more than tokens at catalog prices are refused (400,
naming the option) before anything is reserved: the gateway charges what the provider reports at
catalog prices, so an option it cannot price would be served at the operator's expense.

    refuse_unpriced_chat(raw)                   # /v1/chat/completions bodies (passed through to OpenAI-compatible upstreams)
    refuse_unpriced_messages(raw, beta)         # /v1/messages bodies and the anthropic-beta header (passed to Anthropic)

What costs more than its tokens: OpenAI's priority processing (`service_tier: "priority"`, `"scale"`),
web search (`web_search_options`, billed per call), audio output (`modalities` with audio, billed
at audio-token prices); Anthropic's server tools (web search and fetch, code execution, tool search:
billed per use or per container hour), MCP connectors and containers, and betas that change prices
or reach the operator's own account (1M-token context at premium prices, 1-hour cache writes, the
Files API, Skills). Client tools (functions, bash, text editor, computer use, memory) cost only
their tokens and pass.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import InvalidRequest

_SERVICE_TIERS = frozenset({"auto", "default", "flex"})  # flex is cheaper, never dearer
_CLIENT_TOOL_TYPES = ("custom", "function", "bash_", "text_editor_", "computer_", "memory_")
_UNPRICED_BETAS = ("context-1m", "extended-cache-ttl", "files-api", "skills", "code-execution",
                   "mcp-client", "web-fetch", "web-search", "container")
_UNPRICED_MESSAGE_FIELDS = {"mcp_servers": "MCP connectors", "container": "code execution containers"}


def _refuse(param: str, what: str) -> InvalidRequest:
    return InvalidRequest(f"{param}: {what} is billed by the provider beyond the tokens this gateway prices, "
                          "so it is not served", code="unpriced_parameter", param=param)


def refuse_unpriced_chat(raw: dict[str, Any]) -> None:
    tier = raw.get("service_tier")
    if tier is not None and tier not in _SERVICE_TIERS:
        raise _refuse("service_tier", f"service_tier {tier!r}")
    if raw.get("web_search_options") is not None:
        raise _refuse("web_search_options", "web search")
    modalities = raw.get("modalities")
    if (isinstance(modalities, list) and any(m != "text" for m in modalities)) or raw.get("audio") is not None:
        raise _refuse("modalities" if modalities else "audio", "audio output")


def refuse_unpriced_messages(raw: dict[str, Any], beta: str | None) -> None:
    for field, what in _UNPRICED_MESSAGE_FIELDS.items():
        if raw.get(field) is not None:
            raise _refuse(field, what)
    for i, tool in enumerate(raw.get("tools") or ()):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if isinstance(kind, str) and not kind.startswith(_CLIENT_TOOL_TYPES):
            raise _refuse(f"tools.{i}.type", f"the server tool {kind!r}")
    for name in (beta or "").split(","):
        name = name.strip()
        if name.startswith(_UNPRICED_BETAS):
            raise _refuse("anthropic-beta", f"the beta {name!r}")


def refuse_unpriced_responses(raw: dict[str, Any]) -> None:
    """Responses bodies: chat's options, OpenAI's built-in tools (web and file search, code interpreter,
    image generation, computer use, MCP: billed per call or per container), and background mode,
    whose answer the gateway would never see to charge it."""
    refuse_unpriced_chat(raw)
    for i, tool in enumerate(raw.get("tools") or ()):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if isinstance(kind, str) and kind not in ("function", "custom"):
            raise _refuse(f"tools.{i}.type", f"the built-in tool {kind!r}")
    if raw.get("background"):
        raise InvalidRequest("background: a background response is answered after this request ends, so "
                             "this gateway cannot meter it; stream it or wait for it",
                             code="unsupported_parameter", param="background")
