"""`tollway serve`: ready in seconds, works with no provider keys, keeps state across restarts,
and Ctrl-C stops everything it started."""

import httpx

from tests.conftest import bearer
from tests.served import ServedGateway, process_gone


def test_serve_starts_and_answers_offline_with_local_echo() -> None:
    # How fast it starts is measured by bench/startup.py, not asserted here: a shared machine's load
    # stretches wall times (ServedGateway itself gives up after its own generous timeout).
    with ServedGateway() as served:
        banner = "".join(served.output)
        assert served.url in banner and served.admin_key.startswith("tw-admin-")
        key = served.create_key(credits=1)
        models = httpx.get(served.url + "/v1/models", headers=bearer(key)).json()
        # No provider credentials at all: the offline models, and the auto models that fall back to them.
        assert sorted(m["id"] for m in models["data"]) == ["auto", "auto-high", "auto-low", "auto-ultra", "local/echo",
                                                           "local/embedding", "local/image", "local/moderation",
                                                           "local/rerank", "local/sound", "local/speech",
                                                           "local/transcription"]
        answer = httpx.post(served.url + "/v1/chat/completions", headers=bearer(key), json={
            "model": "local/echo", "messages": [{"role": "user", "content": "works offline"}]})
        assert answer.json()["choices"][0]["message"]["content"] == "works offline"
        auto = httpx.post(served.url + "/v1/chat/completions", headers=bearer(key), json={
            "model": "auto", "messages": [{"role": "user", "content": "offline too"}]})
        assert auto.headers["x-model-used"] == "local/echo" and auto.json()["choices"][0]["message"]["content"] == "offline too"


def test_ctrl_c_stops_the_gateway_and_the_emulator_it_started() -> None:
    served = ServedGateway().start()
    children = served.children()
    assert children, "serve should own an emulator child"
    assert served.stop() is not None
    for pid in children:
        assert process_gone(pid), f"emulator {pid} outlived tollway serve"
    try:
        httpx.get(served.url + "/health", timeout=1)
        raise AssertionError("the port still answers")
    except httpx.ConnectError:
        pass


def test_the_admin_key_comes_from_the_environment_when_set() -> None:
    with ServedGateway(env={"TOLLWAY_ADMIN_KEY": "tw-admin-chosen-by-operator"}) as served:
        assert served.admin_key == "tw-admin-chosen-by-operator"
        assert served.create_key(credits=1)["key"].startswith("sk-tw-")


def test_keys_and_balances_survive_a_restart(tmp_path) -> None:
    env = {"TOLLWAY_ADMIN_KEY": "tw-admin-restart"}
    with ServedGateway(env=env, data_dir=tmp_path) as first:
        key = first.create_key(credits=5)
        assert httpx.post(first.url + "/v1/chat/completions", headers=bearer(key), json={
            "model": "local/echo", "messages": [{"role": "user", "content": "x"}]}).status_code == 200
        balance = first.balance(key["id"])
    with ServedGateway(env=env, data_dir=tmp_path, port=first.port) as second:
        assert second.balance(key["id"]) == balance < 5
        assert httpx.post(second.url + "/v1/chat/completions", headers=bearer(key), json={
            "model": "local/echo", "messages": [{"role": "user", "content": "x"}]}).status_code == 200


def test_serve_refuses_to_start_with_an_invalid_upstream_declaration() -> None:
    served = ServedGateway(env={"TOLLWAY_UPSTREAMS": '[{"name": "openai", "base_url": "http://x"}]'})
    try:
        served.start(timeout_s=10)
        raise AssertionError("serve started with an invalid declaration")
    except RuntimeError:
        pass
    assert "TOLLWAY_UPSTREAMS is invalid" in "".join(served.output)
    assert served.process is not None and served.process.returncode not in (None, 0)


def test_serve_answers_chat_before_it_deploys_the_state_machines() -> None:
    """The emulator makes the tables before it is ready; the state machines wait for the first
    operation (tests/integration/operations run them), so the first chat does not wait for them."""
    import boto3

    with ServedGateway() as served:
        key = served.create_key(credits=1)
        assert httpx.post(served.url + "/v1/chat/completions", headers=bearer(key), json={
            "model": "local/echo", "messages": [{"role": "user", "content": "x"}]}).status_code == 200
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name="us-east-1")
        tables = session.client("dynamodb", endpoint_url=served.emulator_url).list_tables()["TableNames"]
        machines = session.client("stepfunctions", endpoint_url=served.emulator_url).list_state_machines()
        assert "KeysTable" in tables and "UsageTable" in tables
        assert machines["stateMachines"] == []
