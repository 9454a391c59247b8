"""The chat surfaces, JSON or SSE (scope ai:generate):
POST /v1/chat/completions (OpenAI), POST /v1/messages and /v1/messages/count_tokens (Anthropic),
POST /infra/ai/responses and its alias /v1/responses (OpenAI's Responses API).

On Lambda this app runs under uvicorn behind the Lambda Web Adapter (run.sh) so SSE streams
through API Gateway as it is produced; `handler` is the buffered Mangum entry for sam local invoke.
"""

from fastapi import Request, Response

from tollway.endpoints import complete_chat, count_message_tokens, create_message, create_response
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import caller, json_call, render
from tollway.http.requests import json_object
from tollway.http.openapi import declares, json_body
from tollway.wire.anthropic_messages import MessageCountTokensParams, MessageCreateParams
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.openai_responses import ResponseCreateParams

app = create_app("chat")


@app.direct_post("/v1/chat/completions")
@declares(json_body(ChatCompletionRequest))
async def create_chat_completion(request: Request) -> Response:
    return await json_call(request, complete_chat, job="chat")  # "async": true → an operation


# Anthropic's SDK sends its key as `x-api-key`; `anthropic-beta` goes on to Anthropic for Claude models.
@app.direct_post("/v1/messages")
@declares(json_body(MessageCreateParams))
async def create_anthropic_message(request: Request) -> Response:
    return await json_call(request, create_message, beta=request.headers.get("anthropic-beta"))


@app.post("/v1/messages/count_tokens")
@declares(json_body(MessageCountTokensParams))
async def count_anthropic_message_tokens(request: Request) -> Response:
    who = caller(request)
    return render(await count_message_tokens(who, await json_object(request), request.headers.get("anthropic-beta")))


@app.direct_post("/infra/ai/responses")
@app.direct_post("/v1/responses")
@declares(json_body(ResponseCreateParams))
async def create_openai_response(request: Request) -> Response:
    return await json_call(request, create_response, job="responses")  # "async": true → an operation


handler = lambda_handler(app)
