#!/bin/bash
# Lambda Web Adapter entry: serve the inference app on $PORT; the adapter streams responses to API Gateway.
export PYTHONPATH="/opt/python:${LAMBDA_TASK_ROOT}:${PYTHONPATH}"
exec python3 -m uvicorn --host 127.0.0.1 --port "${PORT:-8080}" --no-access-log --app-dir "${LAMBDA_TASK_ROOT}" app:app
