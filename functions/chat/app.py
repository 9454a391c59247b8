"""POST /v1/chat/completions (scope ai:generate), JSON or SSE.

On Lambda this app runs under uvicorn behind the Lambda Web Adapter (run.sh) so SSE streams
through API Gateway as it is produced; `handler` is the buffered Mangum entry for sam local invoke.
"""

from fastapi import Request, Response

from tollway.http.app import create_app
from tollway.http.chat import chat_completions
from tollway.http.lambda_handler import lambda_handler

app = create_app("chat")


@app.post("/v1/chat/completions")
async def create_chat_completion(request: Request) -> Response:
    return await chat_completions(request)


handler = lambda_handler(app)
