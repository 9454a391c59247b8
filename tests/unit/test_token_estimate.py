"""The prompt estimate leans high for text and stays sane for images; the bound reserved for a
request is never below what a byte-level tokenizer could count."""

import json

from tollway.wire.token_estimate import BOUND, ESTIMATE, estimate_prompt_tokens, estimate_text_tokens


def test_text_estimate_is_at_least_a_quarter_of_the_bytes() -> None:
    for text in ["hello", "The quick brown fox jumps over the lazy dog. " * 20, "日本語のテキスト" * 10, "x = f(y) + 1;"]:
        assert estimate_text_tokens(text) >= len(text.encode()) / 4


def test_an_image_costs_a_bounded_amount_whatever_its_size() -> None:
    huge = "data:image/png;base64," + "A" * 3_000_000
    messages = [{"role": "user", "content": [{"type": "text", "text": "what is this?"},
                                             {"type": "image_url", "image_url": {"url": huge}}]}]
    assert estimate_prompt_tokens(messages) < ESTIMATE.per_image + 50
    assert estimate_prompt_tokens(messages, bound=True) < BOUND.per_image + 50


def test_tools_and_tool_calls_count_toward_the_prompt() -> None:
    base = [{"role": "user", "content": "hi"}]
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    calls = base + [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": json.dumps({"q": "x" * 90})}}]}]
    assert estimate_prompt_tokens(base, tools) > estimate_prompt_tokens(base)
    assert estimate_prompt_tokens(calls) > estimate_prompt_tokens(base) + 30


def test_the_bound_counts_every_byte_of_text_as_a_token() -> None:
    for text in ["hello", "日本語のテキスト" * 10, "🙂" * 7, "x = f(y) + 1;"]:
        messages = [{"role": "user", "content": text}]
        assert estimate_prompt_tokens(messages, bound=True) >= len(text.encode())
        assert estimate_prompt_tokens(messages, bound=True) >= estimate_prompt_tokens(messages)
