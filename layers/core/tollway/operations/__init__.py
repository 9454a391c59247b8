"""Async operations: records, Step Functions executions, and the webhooks fired when one finishes.

    >>> from tollway.operations.webhooks import deliver
    >>> result = await deliver(operation.webhook_url, operation_body, secret)
    >>> result.delivered, result.attempts
    (True, 1)
"""
