"""The domain errors. Each knows its HTTP status and OpenAI error type; `tollway.http` renders them.

Messages are written for the client: they never contain a key, a provider secret or a trace.
"""

from __future__ import annotations


class TollwayError(Exception):
    status = 500
    type = "api_error"
    code = "internal_error"
    # Billable units of work done before the failure, charged although the request failed (the
    # pages a document parse got through before it ran out of time). 0 for almost every error.
    units_done = 0

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.param = param
        self.headers = headers or {}


class InvalidRequest(TollwayError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class AuthenticationFailed(TollwayError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class InsufficientCredits(TollwayError):
    status = 402
    type = "insufficient_credits"
    code = "insufficient_credits"


class PermissionDenied(TollwayError):
    status = 403
    type = "permission_error"
    code = "insufficient_scope"


class NotFound(TollwayError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"


class ModelNotFound(NotFound):
    code = "model_not_found"


class Conflict(TollwayError):
    """The resource is not in a state that allows this (cancelling a finished operation)."""

    status = 409
    type = "invalid_request_error"
    code = "conflict"


class PayloadTooLarge(TollwayError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"


class UnsupportedMediaType(TollwayError):
    """The upload is not a document type the gateway can read (or its declared type contradicts it)."""

    status = 415
    type = "invalid_request_error"
    code = "unsupported_document_type"


class DestinationRefused(InvalidRequest):
    """A webhook URL the gateway will not call: wrong scheme or port, credentials, or a private address."""

    code = "invalid_webhook_url"


class RateLimited(TollwayError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"


class ClientClosedRequest(TollwayError):
    """Nobody reads this one: the client left. 499 is nginx's name for it, and what usage records say."""

    status = 499
    type = "invalid_request_error"
    code = "client_closed_request"


class NotImplementedYet(TollwayError):
    status = 501
    type = "api_error"
    code = "not_implemented"


class UpstreamError(TollwayError):
    """The provider failed (5xx, bad answer, connection error)."""

    status = 502
    type = "api_error"
    code = "upstream_error"


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"


class UpstreamRateLimited(UpstreamError):
    status = 429
    type = "rate_limit_error"
    code = "upstream_rate_limited"


class UpstreamRejected(UpstreamError):
    """The provider refused the request as invalid (its 4xx): the client's input, passed back as 400."""

    status = 400
    type = "invalid_request_error"
    code = "upstream_rejected_request"


class ProviderUnavailable(TollwayError):
    """Every candidate's provider is paused by the circuit breaker after repeated failures."""

    status = 503
    type = "api_error"
    code = "provider_unavailable"


class ProviderNotConfigured(TollwayError):
    status = 503
    type = "api_error"
    code = "provider_not_configured"


class RequestTimeLimit(TollwayError):
    """The request ran into the gateway's own time limit (TOLLWAY_MAX_REQUEST_SECONDS, or its hold)."""

    status = 504
    type = "api_error"
    code = "request_time_limit"


class StoreThrottled(TollwayError):
    """DynamoDB, S3 or Step Functions said slow down: the client may retry after `Retry-After`."""

    status = 429
    type = "rate_limit_error"
    code = "store_throttled"


class StoreUnavailable(TollwayError):
    """The store failed, timed out or could not be reached: nothing was done that the client pays for."""

    status = 503
    type = "api_error"
    code = "store_unavailable"


# AWS's spellings of "slow down" across DynamoDB, S3 and Step Functions.
_THROTTLED = frozenset({"ThrottlingException", "Throttling", "ProvisionedThroughputExceededException",
                        "RequestLimitExceeded", "SlowDown", "TooManyRequestsException", "RequestThrottled",
                        "ThrottledException", "LimitExceededException"})
# A conditional write that lost a race nobody handled: the same request a moment later will not.
_CONTENDED = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException",
                        "TransactionConflictException", "TransactionInProgressException"})
_UNREACHABLE = frozenset({"ConnectTimeoutError", "ReadTimeoutError", "EndpointConnectionError",
                          "ConnectionClosedError", "ProxyConnectionError", "ConnectionError"})


def store_failure(exc: BaseException) -> TollwayError | None:
    """The domain error for a botocore exception no code below handled (None: not a store failure, or
    a bug that must stay a 500). The one place store failures become 429 or 503 with Retry-After;
    botocore is recognised by its module so this bottom layer imports nothing."""
    if not type(exc).__module__.startswith("botocore"):
        return None
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _THROTTLED:
            return StoreThrottled("The gateway's store is busy; retry after a second", headers={"retry-after": "1"})
        if code in _CONTENDED or status >= 500 or code in ("InternalServerError", "ServiceUnavailable"):
            return StoreUnavailable("The gateway's store could not complete the request; retry shortly",
                                    headers={"retry-after": "2"})
        return None
    if any(cls.__name__ in _UNREACHABLE for cls in type(exc).__mro__):
        return StoreUnavailable("The gateway's store did not answer in time; retry shortly",
                                headers={"retry-after": "2"})
    return None
