"""The one table of providers: every type's adapters import and are made from an instance, every
instance has a known type, and a provider name names one provider."""

import json

import pytest

from tollway.catalog.custom_upstreams import BUILT_IN, UpstreamsConfigError, custom_upstreams
from tollway.lazy_import import imported
from tollway.operations.kinds import KINDS, operation_kind
from tollway.providers import ProviderInstance, instance, registry
from tollway.providers.instances import BUILT_IN as BUILT_IN_INSTANCES


def test_every_type_names_adapters_that_import_and_take_an_instance() -> None:
    for name, provider_type in registry.TYPES.items():
        targets = [provider_type.chat, *provider_type.media, *provider_type.jobs.values()]
        assert any(targets), name
        for target in filter(None, targets):
            adapter = imported(target)(ProviderInstance("probe", name, "http://127.0.0.1:9", extra={
                "account_env": "PROBE_ACCOUNT"}))
            assert adapter.name == "probe" and callable(adapter.configured)


def test_every_built_in_instance_has_a_type_and_its_name_is_reserved() -> None:
    assert set(BUILT_IN_INSTANCES) == BUILT_IN
    for name, built_in in BUILT_IN_INSTANCES.items():
        assert built_in.name == name and built_in.type in registry.TYPES


def test_a_declared_upstream_cannot_take_a_built_in_providers_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLLWAY_UPSTREAMS", json.dumps([{"name": "cohere", "base_url": "http://127.0.0.1:9/v1"}]))
    custom_upstreams.cache_clear()
    try:
        with pytest.raises(UpstreamsConfigError, match="built-in provider"):
            custom_upstreams()
    finally:
        monkeypatch.undo()
        registry.reset()


def test_a_declared_upstream_is_an_openai_compatible_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLLWAY_UPSTREAMS", json.dumps([{"name": "azure", "base_url": "https://azure.example/v1",
                                                          "api_key_env": "AZURE_KEY", "auth_header": "api-key",
                                                          "query": {"api-version": "2024-10-21"}}]))
    registry.reset()
    try:
        declared = instance("azure")
        assert declared == ProviderInstance("azure", "openai-compatible", "https://azure.example/v1", "AZURE_KEY",
                                            auth_header="api-key", query=(("api-version", "2024-10-21"),),
                                            token_limit_param="max_tokens")
        config = declared.upstream()
        assert (config.default_base_url, config.base_url_env, config.auth_header) == (
            "https://azure.example/v1", None, "api-key")
        assert instance("nobody") is None
    finally:
        monkeypatch.undo()
        registry.reset()


def test_an_adapters_api_path_goes_under_the_instances_base_url() -> None:
    gemini = instance("gemini")
    assert gemini is not None
    assert gemini.upstream(path="/v1beta").default_base_url == "https://generativelanguage.googleapis.com/v1beta"
    assert gemini.upstream(path="/v1beta").base_url_env == "GEMINI_BASE_URL"


def test_every_operation_kind_in_the_table_imports_under_its_own_name() -> None:
    for name in KINDS:
        assert operation_kind(name).name == name
