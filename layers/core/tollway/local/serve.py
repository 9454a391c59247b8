"""`tollway serve`: the whole gateway on one local port, with no AWS account and no network.

Starts the emulator (which creates the tables and buckets template.yaml declares), sets the
environment the template sets, mounts every function's routes, and serves them with uvicorn until
Ctrl-C. What the first chat does not need waits for its first use: each function's code (its first
request), boto3 (the first store call), the state machines (the first Step Functions call).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import threading
import time
from pathlib import Path

from tollway.local.emulator import FAKE_CREDENTIALS, Emulator
from tollway.local.emulator_state import has_saved_state
from tollway.local.template import Template, find_template

KEEP_ALIVE_S = 75  # seconds an idle client connection stays open


def prepare_environment(template: Template, emulator: Emulator, state_machines_on_first_use: bool = False) -> str:
    """Point the process at the emulator and create the template's resources (tables and buckets,
    unless the emulator made them; the state machines and the functions they invoke, now or when
    Step Functions is first used); return the admin key."""
    from tollway import aws_clients, config
    from tollway.local.resources import local_environment
    from tollway.local.state_machines import deploy_as_planned, deploy_state_machines, planned_arns

    os.environ.update(FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": emulator.endpoint})
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.update(local_environment(template))
    os.environ.pop("TOLLWAY_SECRETS_ID", None)  # locally, provider keys come from the environment
    admin_key = os.environ.get("TOLLWAY_ADMIN_KEY") or "tw-admin-" + secrets.token_urlsafe(24)
    os.environ["TOLLWAY_ADMIN_KEY"] = admin_key
    config.reset_for_tests()
    aws_clients.reset()
    if emulator.template is None:
        import boto3

        from tollway.local.resources import create_resources

        create_resources(template, boto3.session.Session())
    if state_machines_on_first_use:
        os.environ.update(local_environment(template, planned_arns(template, FAKE_CREDENTIALS["AWS_DEFAULT_REGION"])))

        def deploy() -> None:
            import boto3

            deploy_as_planned(template, boto3.session.Session())

        aws_clients.before_first_client("stepfunctions", deploy)
    else:
        import boto3

        os.environ.update(local_environment(template, deploy_state_machines(template, boto3.session.Session())))
    config.reset_for_tests()
    return admin_key


def keep_webhook_secret(data_dir: Path | None) -> None:
    """Webhooks need a signing secret: the operator's, else one made here and kept with the data, so
    each key's secret survives restarts. Set before the emulator starts: its worker signs with it."""
    if os.environ.get("TOLLWAY_WEBHOOK_SECRET"):
        return
    path = data_dir / "webhook-secret" if data_dir else None
    if path is not None and path.is_file():
        os.environ["TOLLWAY_WEBHOOK_SECRET"] = path.read_text().strip()
        return
    made = secrets.token_urlsafe(32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(made)
    os.environ["TOLLWAY_WEBHOOK_SECRET"] = made


def open_ledger_journal(data_dir: Path | None) -> None:
    """With a data dir, what a killed gateway settled but did not flush is written now, and what this
    one settles is journaled before its answer completes (ledger/journal.py)."""
    if data_dir is None:
        return
    from tollway.ledger.journal import open_journal, replay

    path = data_dir / "ledger.journal"
    replayed = replay(path)
    if replayed:
        print(f"tollway: wrote {replayed} usage record(s) the last run settled but had not flushed", flush=True)
    open_journal(path)


def close_ledger() -> None:
    """Flush every lease and give their credit back before the emulator stops."""
    from tollway.ledger.flush import flusher
    from tollway.ledger.journal import close_journal

    flusher().stop()
    close_journal()


def resume_operations() -> None:
    """Operations that were running when the gateway stopped get a fresh execution (the emulator
    keeps their records, not their executions)."""
    from tollway.operations.resume import resume_unfinished

    try:
        resumed = resume_unfinished()
    except Exception as exc:  # noqa: BLE001 - the gateway serves anyway; the sweeper refunds what stays stuck
        print(f"tollway: could not resume operations: {type(exc).__name__}", flush=True)
        return
    if resumed:
        print(f"tollway: resumed {len(resumed)} operation(s) interrupted by the last stop", flush=True)


def server_stack(loop: str = "auto", http: str = "auto") -> tuple[str, str]:
    """uvicorn's event loop and HTTP parser: uvloop and httptools when installed (the `local` extra
    installs both; measured in bench/README.md), else asyncio and h11."""
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return loop, http


def serve(host: str = "127.0.0.1", port: int = 8787, template_path: str | None = None,
          data_dir: Path | None = Path(".tollway"), loop: str = "auto", http: str = "auto") -> None:
    from tollway.local.lean_dependencies import trim_dependencies

    trim_dependencies()  # before anything imports boto3 or httpx
    import uvicorn

    from tollway.local.gateway import TemplateGateway
    from tollway.local.schedules import ScheduleRunner
    from tollway.providers import configured_providers

    from tollway.catalog.custom_upstreams import custom_upstreams

    started = time.monotonic()
    custom_upstreams()  # an invalid TOLLWAY_UPSTREAMS stops here, with what to fix, not at the first request
    template = Template(Path(template_path) if template_path else find_template())
    keep_webhook_secret(data_dir)
    # Passkeys are bound to a host name: the console is http://localhost:<port> (a secure context for
    # WebAuthn without TLS), whatever address the server listens on.
    console = os.environ.setdefault("TOLLWAY_CONSOLE_ORIGIN", f"http://localhost:{port}") + "/console"
    restoring = has_saved_state(data_dir)
    emulator = Emulator.launch(data_dir=data_dir, template=template.path)
    try:
        app = TemplateGateway(template, client_limit=True)  # each function's code loads on its first request
        emulator.wait_ready()
        admin_key = prepare_environment(template, emulator, state_machines_on_first_use=True)
        open_ledger_journal(data_dir)
        if restoring:  # an emulator that starts empty has nothing to resume
            threading.Thread(target=resume_operations, daemon=True).start()
        schedules = ScheduleRunner(template.schedules()).start()
        loop, http = server_stack(loop, http)
        # Keep-alive longer than clients keep idle connections (httpx, hence the OpenAI and Anthropic SDKs:
        # 5 s, uvicorn's default too): else a client reuses a connection as the server closes it, and
        # its request dies with a connection reset (seen under bench/soak.py's load).
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", loop=loop, http=http,
                                               access_log=False, timeout_graceful_shutdown=3,
                                               timeout_keep_alive=KEEP_ALIVE_S))

        def banner() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.02)
            if server.started:
                url = f"http://{host}:{port}"
                print(f"Tollway is serving on {url}  (ready in {time.monotonic() - started:.1f}s)\n"
                      f"  admin key:   {admin_key}\n"
                      f"  providers:   {', '.join(sorted(configured_providers() - {'auto'}))}\n"
                      f"  routes:      {len(app.routes)} from {template.path.name}, "
                      f"{len(schedules.schedules)} scheduled function(s)\n"
                      f"  data:        {data_dir.resolve() if data_dir else 'in memory (not kept)'}\n"
                      f"  emulator:    {emulator.endpoint} (DynamoDB, S3, Step Functions, Lambda)\n"
                      f"  server:      uvicorn, {loop} + {http}\n"
                      f"  console:     {console}\n"
                      f"  try:         tollway keys create --credits 10 --url {url} --admin-key {admin_key}\n"
                      f"  then:        OPENAI_BASE_URL={url}/v1 with model local/echo\n"
                      "Ctrl-C stops the gateway and the emulator.", flush=True)

        threading.Thread(target=banner, daemon=True).start()
        server.run()
        schedules.stop()
        close_ledger()
    finally:
        emulator.stop()
