"""`tollway serve`: the whole gateway on one local port, with no AWS account and no network.

Starts the emulator, creates what template.yaml declares, sets the environment the template sets,
mounts every function's routes, and serves them with uvicorn until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

from tollway.local.emulator import FAKE_CREDENTIALS, Emulator
from tollway.local.template import Template, find_template


def prepare_environment(template: Template, emulator: Emulator) -> str:
    """Point the process at the emulator and create the template's resources; return the admin key."""
    import boto3

    from tollway import aws_clients, config
    from tollway.local.resources import create_resources, local_environment

    os.environ.update(FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": emulator.endpoint})
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.update(local_environment(template))
    os.environ.pop("TOLLWAY_SECRETS_ID", None)  # locally, provider keys come from the environment
    admin_key = os.environ.get("TOLLWAY_ADMIN_KEY") or "tw-admin-" + secrets.token_urlsafe(24)
    os.environ["TOLLWAY_ADMIN_KEY"] = admin_key
    config.reset_for_tests()
    aws_clients.reset()
    create_resources(template, boto3.session.Session())
    return admin_key


def serve(host: str = "127.0.0.1", port: int = 8787, template_path: str | None = None,
          data_dir: Path | None = Path(".tollway")) -> None:
    import uvicorn

    from tollway.local.gateway import TemplateGateway
    from tollway.local.schedules import ScheduleRunner
    from tollway.providers import configured_providers

    from tollway.catalog.custom_upstreams import custom_upstreams

    started = time.monotonic()
    custom_upstreams()  # an invalid TOLLWAY_UPSTREAMS stops here, with what to fix, not at the first request
    template = Template(Path(template_path) if template_path else find_template())
    emulator = Emulator.start(data_dir=data_dir)
    try:
        admin_key = prepare_environment(template, emulator)
        app = TemplateGateway(template)
        schedules = ScheduleRunner(template.schedules()).start()
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                               access_log=False, timeout_graceful_shutdown=3))

        def banner() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.02)
            if server.started:
                url = f"http://{host}:{port}"
                print(f"Tollway is serving on {url}  (ready in {time.monotonic() - started:.1f}s)\n"
                      f"  admin key:   {admin_key}\n"
                      f"  providers:   {', '.join(sorted(configured_providers()))}\n"
                      f"  routes:      {len(app.routes)} from {template.path.name}, "
                      f"{len(schedules.schedules)} scheduled function(s)\n"
                      f"  data:        {data_dir.resolve() if data_dir else 'in memory (not kept)'}\n"
                      f"  try:         tollway keys create --credits 10 --url {url} --admin-key {admin_key}\n"
                      f"  then:        OPENAI_BASE_URL={url}/v1 with model local/echo\n"
                      "Ctrl-C stops the gateway and the emulator.", flush=True)

        threading.Thread(target=banner, daemon=True).start()
        server.run()
        schedules.stop()
    finally:
        emulator.stop()
