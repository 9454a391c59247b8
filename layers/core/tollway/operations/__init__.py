"""Async operations: records, Step Functions executions, the worker that runs each step, and the
webhooks fired when one finishes.

    op, headers = await open_operation(caller, operation_kind("video").order(body))    # lifecycle.py
    handle({"action": "poll", "operation_id": op.id})                                  # worker.py
    result = await deliver(op.webhook_url, operation_json(op), secret)                 # webhooks.py

One module per concern: `records` (the DynamoDB record and its conditional transitions),
`billing` (settlement from a record), `results` (S3), `executions` (Step Functions), `kinds/`
(one module per kind of job), `views` (what clients see), `resume` (after a local restart).
"""
