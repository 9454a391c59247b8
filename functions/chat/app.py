"""The chat surfaces, JSON or SSE (scope ai:generate):
POST /v1/chat/completions (OpenAI), POST /v1/messages and /v1/messages/count_tokens (Anthropic).
POST /v1/responses is not built yet and says so (501).

On Lambda this app runs under uvicorn behind the Lambda Web Adapter (run.sh) so SSE streams
through API Gateway as it is produced; `handler` is the buffered Mangum entry for sam local invoke.
"""

from fastapi import Request, Response

from tollway.errors import NotImplementedYet
from tollway.http.app import create_app
from tollway.http.chat import chat_completions
from tollway.http.lambda_handler import lambda_handler
from tollway.http.messages import messages, messages_count_tokens

app = create_app("chat")


@app.direct_post("/v1/chat/completions")
async def create_chat_completion(request: Request) -> Response:
    return await chat_completions(request)


@app.direct_post("/v1/messages")
async def create_message(request: Request) -> Response:
    return await messages(request)


@app.post("/v1/messages/count_tokens")
async def count_message_tokens(request: Request) -> Response:
    return await messages_count_tokens(request)


@app.post("/v1/responses")
async def create_response(request: Request) -> Response:
    raise NotImplementedYet("The Responses API is not supported by this gateway yet; "
                            "use POST /v1/chat/completions or POST /v1/messages")


handler = lambda_handler(app)
