"""`tollway chat "prompt"`: one chat completion with the saved key, streamed to the terminal as it
arrives; what it cost goes to stderr at the end (the final usage chunk's `cost`)."""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx

from tollway.commands import credentials
from tollway.commands.remote import TIMEOUT, fail, refused


def chat(url_option: str | None, prompt: str, model: str, system: str | None, stream: bool) -> None:
    url, key = credentials.current(url_option)
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    body: dict[str, Any] = {"model": model, "messages": messages}
    headers = {"authorization": f"Bearer {key}"}
    try:
        if not stream:
            response = httpx.post(f"{url}/v1/chat/completions", json=body, headers=headers, timeout=TIMEOUT)
            if response.status_code >= 400:
                fail(refused(response))
            answer = response.json()
            print(answer["choices"][0]["message"]["content"])
            _cost(response.headers.get("x-model-used"), (answer.get("usage") or {}).get("cost"))
            return
        body |= {"stream": True, "stream_options": {"include_usage": True}}
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, headers=headers, timeout=TIMEOUT) as response:
            if response.status_code >= 400:
                response.read()
                fail(refused(response))
            cost = None
            for line in response.iter_lines():
                if not line.startswith("data:") or line[5:].strip() == "[DONE]":
                    continue
                chunk = json.loads(line[5:])
                if chunk.get("error"):
                    print(f"\nerror: {chunk['error'].get('message')}", file=sys.stderr)
                for choice in chunk.get("choices") or []:
                    print((choice.get("delta") or {}).get("content") or "", end="", flush=True)
                cost = (chunk.get("usage") or {}).get("cost", cost)
            print()
            _cost(response.headers.get("x-model-used"), cost)
    except httpx.HTTPError as exc:
        sys.exit(f"error: cannot reach {url}: {type(exc).__name__}")


def _cost(model: str | None, cost: object) -> None:
    print(f"[{model or '?'}: {cost if cost is not None else '?'} credits]", file=sys.stderr)
