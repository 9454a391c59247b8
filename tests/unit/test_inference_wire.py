"""The Inference API's pure pieces: the envelope's error codes, the native chat request as an OpenAI
one, opencode/* resolution, and the usage route's dates."""

from __future__ import annotations

import pytest

from tollway.catalog import resolve
from tollway.endpoints.usage import _when
from tollway.errors import InvalidRequest
from tollway.http.errors import error_json
from tollway.wire.inference import InferenceChatRequest, chat_data, envelope_code


@pytest.mark.parametrize(("status", "code", "expected"), [
    (400, "invalid_value", "BAD_REQUEST"), (401, "invalid_api_key", "UNAUTHORIZED"),
    (402, "insufficient_credits", "PAYMENT_REQUIRED"), (403, "insufficient_scope", "FORBIDDEN"),
    (404, "model_not_found", "NOT_FOUND"), (409, "conflict", "CONFLICT"), (429, "rate_limit_exceeded", "RATE_LIMITED"),
    (502, "upstream_error", "UPSTREAM_ERROR"), (504, "upstream_timeout", "UPSTREAM_TIMEOUT"),
    (503, "provider_not_configured", "NOT_CONFIGURED"), (503, "provider_unavailable", "UPSTREAM_ERROR"),
    (504, "request_time_limit", "UPSTREAM_TIMEOUT"), (418, None, "BAD_REQUEST"), (500, "internal_error", "INTERNAL_ERROR"),
])
def test_each_status_has_its_envelope_code(status: int, code: str | None, expected: str) -> None:
    assert envelope_code(status, code) == expected


def test_errors_are_enveloped_only_under_the_inference_prefix() -> None:
    body = error_json("/api/v1/inference/chat", 402, "no credits", "insufficient_credits", "insufficient_credits")
    assert body == {"success": False, "error": {"code": "PAYMENT_REQUIRED", "message": "no credits"}}
    assert "success" not in error_json("/api/v1/inferencex", 402, "m", "t", "c")
    assert "success" not in error_json("/v1/chat/completions", 402, "m", "t", "c")


def test_a_native_chat_request_becomes_the_same_openai_request() -> None:
    request = InferenceChatRequest.model_validate(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "system": "s", "maxTokens": 9,
         "temperature": 1})
    assert request.openai_body("gpt-4o", stream=True) == {
        "model": "gpt-4o", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}],
        "max_tokens": 9, "temperature": 1.0, "stream": True, "stream_options": {"include_usage": True}}
    completion = {"model": "gpt-4o", "choices": [{"message": {"content": "yo"}, "finish_reason": "stop"}],
                  "usage": {"prompt_tokens": 3, "completion_tokens": 1, "cost": 0.04}}
    assert chat_data(completion) == {"content": "yo", "model": "gpt-4o", "finishReason": "stop",
                                     "usage": {"inputTokens": 3, "outputTokens": 1, "credits": 0.04}}


def test_opencode_models_go_to_opencode_under_their_own_name() -> None:
    spec = resolve("opencode/kimi-k2")
    assert spec is not None and spec.provider == "opencode" and spec.upstream_id == "kimi-k2" and spec.input_price > 0
    assert resolve("opencode/../x") is None and resolve("opencode/kimi-k2", "embedding") is None


def test_usage_dates_are_whole_utc_days_or_exact_times() -> None:
    assert _when("since", "2026-12-01", end_of_day=False) == 1_796_083_200
    assert _when("until", "2026-12-01", end_of_day=True) == pytest.approx(1_796_169_600 - 1e-6)
    assert _when("since", "2026-12-01T01:00:00Z", end_of_day=False) == 1_796_086_800
    assert _when("since", "2026-12-01T02:00:00 01:00", end_of_day=False) == 1_796_086_800  # `+` sent unencoded
    for bad in ("yesterday", "2026-02-30", "12/01/2026", ""):
        with pytest.raises(InvalidRequest):
            _when("since", bad, end_of_day=False)


def test_only_the_operator_grants_ai_admin_never_a_self_service_key() -> None:
    from pydantic import ValidationError

    from tollway.auth.account_keys import create_account_key
    from tollway.wire.admin import CreateKeyRequest
    from tollway.wire.console import KeyTermsBody

    assert CreateKeyRequest.model_validate({"name": "ops", "credits": 1, "scopes": ["ai:read", "ai:admin"]}).scopes == [
        "ai:admin", "ai:read"]
    with pytest.raises(ValidationError, match="unknown scopes"):
        KeyTermsBody.model_validate({"scopes": ["ai:read", "ai:admin"]})
    with pytest.raises(InvalidRequest, match="scopes"):
        create_account_key("acct_0", name="mine", scopes=("ai:admin",), rpm=60, cap_micro=None)
