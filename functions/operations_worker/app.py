"""The Step Functions task of every operation (statemachines/operation.asl.json): one action per
state — submit, poll, store, fail, notify — on the operation named in the event.

    {"action": "poll", "operation_id": "op_…"} → {"operation_id": "op_…", "next": "wait", "wait_s": 10}
"""

from typing import Any

from tollway.observability import logger
from tollway.operations.worker import handle


@logger().inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = handle(event)
    logger().info("operation step", extra={"action": event.get("action"), "operation_id": step["operation_id"],
                                           "next": step["next"]})
    return step
