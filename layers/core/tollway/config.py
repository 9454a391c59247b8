"""Every environment variable Tollway reads, in one typed settings object.

The names are the ones template.yaml sets on the functions and `tollway serve` sets locally.
Provider keys may instead live in one Secrets Manager JSON secret (TOLLWAY_SECRETS_ID), which is
how the deployed stack keeps them out of the template and out of the function configuration.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    keys_table: str
    usage_table: str
    operations_table: str
    files_bucket: str
    files_table: str
    providers_table: str | None  # None: no provider registry (unit tests, a process outside the stack)
    secrets_id: str | None
    max_body_bytes: int
    upstream_connect_timeout_s: float
    upstream_read_timeout_s: float
    default_max_tokens: int
    key_cache_ttl_s: float
    hold_s: float
    max_request_s: float
    checkpoint_s: float
    leases: bool
    lease_ttl_s: float
    lease_flush_s: float
    lease_revalidate_s: float
    request_deadline_s: float
    retry_attempts: int
    breaker_threshold: int
    breaker_cooldown_s: float
    default_fallbacks: dict[str, tuple[str, ...]] | None  # None: the catalog's chains
    webhooks_allow_private: bool
    providers_allow_private: bool
    storage_limit_bytes: int
    media_url_ttl_s: int
    upload_ttl_s: int
    operations_state_machine_arn: str
    operation_poll_s: int
    operation_max_s: int
    operation_hold_s: float
    document_sync_max_pages: int
    document_parse_s: float
    # The console (auth/, http/console/): its table, who may sign up, its WebAuthn origin and sessions.
    accounts_table: str
    signup: str  # open | invite | closed
    console_origin: str | None  # None: the request's own scheme and host (see http/console/origin.py)
    rp_name: str
    session_s: int
    cors_origins: tuple[str, ...]
    ip_rate_limit: int
    ip_rate_window_s: float
    body_timeout_s: float  # tollway serve: a request body must arrive within this (API Gateway's job deployed)
    send_timeout_s: float  # tollway serve: a response nobody reads for this long is abandoned


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(name) or default).strip().lower()
    if raw not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")
    return raw


def _chains(name: str) -> dict[str, tuple[str, ...]] | None:
    """`{"model": ["fallback", ...], ...}` as JSON; `{}` turns default chains off."""
    raw = os.environ.get(name)
    if not raw:
        return None
    parsed = json.loads(raw)
    if not isinstance(parsed, dict) or not all(isinstance(v, list) for v in parsed.values()):
        raise ValueError(f"{name} must be a JSON object of model → list of fallback models")
    return {str(k): tuple(str(m) for m in v) for k, v in parsed.items()}


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        keys_table=os.environ.get("KEYS_TABLE", "KeysTable"),
        usage_table=os.environ.get("USAGE_TABLE", "UsageTable"),
        operations_table=os.environ.get("OPERATIONS_TABLE", "OperationsTable"),
        files_bucket=os.environ.get("FILES_BUCKET", "FilesBucket"),
        files_table=os.environ.get("FILES_TABLE", "FilesTable"),
        # Providers registered at run time (catalog/provider_registry.py); template.yaml sets it everywhere.
        providers_table=os.environ.get("PROVIDERS_TABLE") or None,
        secrets_id=os.environ.get("TOLLWAY_SECRETS_ID") or None,
        # Lambda's synchronous payload limit is 6 MB; a larger body could never reach a function.
        max_body_bytes=_int("TOLLWAY_MAX_BODY_BYTES", 6 * 1024 * 1024),
        upstream_connect_timeout_s=_float("TOLLWAY_UPSTREAM_CONNECT_TIMEOUT", 5.0),
        upstream_read_timeout_s=_float("TOLLWAY_UPSTREAM_TIMEOUT", 120.0),
        default_max_tokens=_int("TOLLWAY_DEFAULT_MAX_TOKENS", 256),
        # How long a process trusts a key it has checked, for reads: the bound on a revoked key's reads.
        key_cache_ttl_s=_float("TOLLWAY_KEY_CACHE_TTL", 5.0),
        # How long a request's reservation may stay unsettled before the sweeper refunds it: longer
        # than any function may run (the chat function's timeout is 300 s).
        hold_s=_float("TOLLWAY_HOLD_SECONDS", 900.0),
        # The longest a request may run from admission to its last byte: below the function's timeout
        # (300 s for the streaming functions), so a stream is always settled by the process that
        # served it; see ledger/meter.py for how it is also kept below the hold.
        max_request_s=_float("TOLLWAY_MAX_REQUEST_SECONDS", 280.0),
        # How often a long stream writes what it owes so far onto its hold (what a sweep would charge
        # if the process died).
        checkpoint_s=_float("TOLLWAY_CHECKPOINT_SECONDS", 30.0),
        # Prepaid leases (ledger/leases.py): on unless TOLLWAY_LEASES=off. A lease expires this long
        # after its last write (a live process keeps pushing it forward); its settlements and usage
        # records reach the store at least this often; and it admits in memory only this long after a
        # write that re-read the key (the bound on revocations and credit changes reaching a process).
        leases=os.environ.get("TOLLWAY_LEASES", "on").strip().lower() not in {"0", "off", "false", "no"},
        lease_ttl_s=_float("TOLLWAY_LEASE_SECONDS", 30.0),
        lease_flush_s=_float("TOLLWAY_LEASE_FLUSH_SECONDS", 1.0),
        lease_revalidate_s=_float("TOLLWAY_LEASE_REVALIDATE_SECONDS", 2.0),
        # One budget for every attempt and fallback of a request, until its first byte.
        request_deadline_s=_float("TOLLWAY_REQUEST_DEADLINE", 150.0),
        retry_attempts=_int("TOLLWAY_RETRY_ATTEMPTS", 2),
        breaker_threshold=_int("TOLLWAY_BREAKER_THRESHOLD", 5),
        breaker_cooldown_s=_float("TOLLWAY_BREAKER_COOLDOWN", 30.0),
        default_fallbacks=_chains("TOLLWAY_DEFAULT_FALLBACKS"),
        # Only for local development: lets webhooks reach 127.0.0.1 and private networks (SSRF guard off).
        webhooks_allow_private=_flag("TOLLWAY_WEBHOOKS_ALLOW_PRIVATE"),
        # Only for local development: lets a registered provider's baseUrl be loopback or private
        # (a local vLLM or Ollama); deployed, a provider must be on a public address (SSRF guard).
        providers_allow_private=_flag("TOLLWAY_PROVIDERS_ALLOW_PRIVATE"),
        # Files API: bytes each key may keep in S3 (files and pending uploads), 1 GiB by default.
        storage_limit_bytes=_int("TOLLWAY_STORAGE_LIMIT_BYTES", 1024**3),
        # Presigned GET URLs of generated media, and how long an upload's presigned PUT stays open.
        media_url_ttl_s=_int("TOLLWAY_MEDIA_URL_SECONDS", 3600),
        upload_ttl_s=_int("TOLLWAY_UPLOAD_SECONDS", 3600),
        # Async operations: the state machine the API starts (template.yaml sets it), how long the
        # worker waits between two polls of an upstream, and how long a job may run before it fails.
        operations_state_machine_arn=os.environ.get("OPERATIONS_STATE_MACHINE_ARN", ""),
        operation_poll_s=max(1, _int("TOLLWAY_OPERATION_POLL_SECONDS", 10)),
        operation_max_s=_int("TOLLWAY_OPERATION_MAX_SECONDS", 2 * 3600),
        # An operation's reservation outlives any job (the sweeper only refunds abandoned ones).
        operation_hold_s=_float("TOLLWAY_OPERATION_HOLD_SECONDS", 26 * 3600.0),
        # A document with more (estimated) pages is parsed as an operation, not in the request.
        document_sync_max_pages=_int("TOLLWAY_DOCUMENT_SYNC_MAX_PAGES", 50),
        # CPU seconds one document may take to parse (in the request or in the worker) before it is
        # refused with 413 document_too_complex — and charged for the pages it got through.
        document_parse_s=_float("TOLLWAY_DOCUMENT_PARSE_SECONDS", 10.0),
        accounts_table=os.environ.get("ACCOUNTS_TABLE", "AccountsTable"),
        # Who may create an account: anyone (open), holders of an invite code the operator made with the
        # admin key (invite), nobody (closed). The deployed template defaults to invite.
        signup=_choice("TOLLWAY_SIGNUP", ("open", "invite", "closed"), "open"),
        # The console's origin (scheme://host[:port]); the WebAuthn RP ID is its host. `tollway serve`
        # sets http://localhost:<port>; deployed, unset means the API's own https host.
        console_origin=(os.environ.get("TOLLWAY_CONSOLE_ORIGIN") or "").rstrip("/") or None,
        rp_name=os.environ.get("TOLLWAY_RP_NAME") or "Tollway",
        # How long a console session lasts after sign-in (absolute: it is not extended by use).
        session_s=_int("TOLLWAY_SESSION_SECONDS", 14 * 86_400),
        # Browser origins allowed to call the API (CORS), comma-separated; none by default, `*` for any.
        cors_origins=tuple(o.strip().rstrip("/") for o in os.environ.get("TOLLWAY_CORS_ORIGINS", "").split(",")
                           if o.strip()),
        # `tollway serve`'s per-client-IP limit, the same as the deployed WAF rule: requests per window
        # (0 turns it off).
        ip_rate_limit=_int("TOLLWAY_IP_RATE_LIMIT", 5000),
        ip_rate_window_s=_float("TOLLWAY_IP_RATE_WINDOW_SECONDS", 600.0),
        body_timeout_s=_float("TOLLWAY_BODY_TIMEOUT_SECONDS", 30.0),
        send_timeout_s=_float("TOLLWAY_SEND_TIMEOUT_SECONDS", 30.0),
    )


@lru_cache(maxsize=1)
def _secret_values() -> dict[str, str]:
    """The provider secret, fetched once per process and only if it is configured."""
    secret_id = os.environ.get("TOLLWAY_SECRETS_ID")
    if not secret_id:
        return {}
    from tollway.aws_clients import client  # lazy: most processes never need it

    raw = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    values = json.loads(raw)
    return {str(k): str(v) for k, v in values.items() if v}


def secret(name: str) -> str | None:
    """A provider credential or base URL: the environment first, then the Secrets Manager secret."""
    value = os.environ.get(name)
    if value:
        return value
    return _secret_values().get(name)


def stored_secrets() -> dict[str, str]:
    """Every name and value of the provider secret (none without TOLLWAY_SECRETS_ID): what must be
    redacted from anything an upstream says."""
    return dict(_secret_values())


def reset_for_tests() -> None:
    settings.cache_clear()
    _secret_values.cache_clear()
