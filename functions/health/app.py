"""GET /health: liveness, no key needed."""

from fastapi.responses import JSONResponse

from tollway.http.app import create_app, uptime_s
from tollway.http.lambda_handler import lambda_handler

app = create_app("health")


@app.get("/health")
async def health() -> JSONResponse:
    return JSONResponse({"ok": True, "uptime": uptime_s()})


handler = lambda_handler(app)
