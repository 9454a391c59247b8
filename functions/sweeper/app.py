"""Scheduled (template.yaml: every 5 minutes): refund reservations whose requests never settled."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from tollway.ledger.sweeper import sweep
from tollway.observability import logger, metrics


@metrics().log_metrics
@logger().inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    report = sweep()
    metrics().add_metric(name="HoldsReleased", unit=MetricUnit.Count, value=len(report.released))
    logger().info("sweep", extra={"keys_scanned": report.keys_scanned, "released": len(report.released),
                                  "refunded_micro": report.refunded_micro})
    return {"released": len(report.released), "refunded_micro": report.refunded_micro}
