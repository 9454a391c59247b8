"""Run the template's scheduled functions locally, on the schedule template.yaml declares.

    runner = ScheduleRunner(template.schedules()).start()
    runner.stop()

Each runs in its own daemon thread, calling the function's handler as Lambda would (an EventBridge
Scheduler event and a context), so `tollway serve` sweeps expired holds just like the deployment.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Any

from tollway.local.function_code import load_function_module
from tollway.local.template import Schedule


@dataclass(frozen=True)
class LocalContext:
    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:local"
    aws_request_id: str = "local-schedule"


def run_once(schedule: Schedule) -> Any:
    handler = getattr(load_function_module(schedule.code_uri), schedule.handler)
    event = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}
    return handler(event, LocalContext(function_name=schedule.function))


class ScheduleRunner:
    def __init__(self, schedules: list[Schedule]) -> None:
        self.schedules = schedules
        self._stop = threading.Event()

    def start(self) -> ScheduleRunner:
        for schedule in self.schedules:
            threading.Thread(target=self._loop, args=(schedule,), name=schedule.function, daemon=True).start()
        return self

    def _loop(self, schedule: Schedule) -> None:
        while not self._stop.wait(schedule.every_s):
            try:
                run_once(schedule)
            except Exception as exc:  # noqa: BLE001 - one failed run must not end the schedule
                print(f"tollway: scheduled {schedule.function} failed: {type(exc).__name__}", file=sys.stderr)

    def stop(self) -> None:
        self._stop.set()
