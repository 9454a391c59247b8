"""GET /health: liveness and whether the store answers, no key needed (503 when it does not)."""

import anyio
from fastapi.responses import JSONResponse

from tollway.health import store_health
from tollway.http.app import create_app, uptime_s
from tollway.http.lambda_handler import lambda_handler

app = create_app("health")


@app.get("/health")
async def health() -> JSONResponse:
    store = await anyio.to_thread.run_sync(store_health)
    return JSONResponse({"ok": store.ok, "uptime": uptime_s(), "store": {"ok": store.ok,
                                                                          "latency_ms": store.latency_ms}},
                        status_code=200 if store.ok else 503, headers={"cache-control": "no-store"})


handler = lambda_handler(app)
