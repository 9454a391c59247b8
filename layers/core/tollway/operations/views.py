"""An operation as clients see it: the operation object, and OpenAI's Video object for /v1/videos.

    operation_json(op)    # {"id": "op_…", "object": "operation", "status": "succeeded", "result": {"url": …}}
    video_json(op)        # {"id": "op_…", "object": "video", "status": "completed", "progress": 100, …}

A finished result carries a presigned S3 URL valid for an hour (`result.expires_at`), made fresh
on every read; the S3 key and the upstream's ids stay private.
"""

from __future__ import annotations

import time
from typing import Any

from tollway.ledger.money import credits_json
from tollway.operations import results
from tollway.operations.kinds import operation_kind
from tollway.operations.records import Operation

_PRIVATE_RESULT = frozenset({"s3_key"})
# Operation status → OpenAI's video status (a cancelled video is a failed one there).
_VIDEO_STATUS = {"queued": "queued", "running": "in_progress", "succeeded": "completed", "failed": "failed",
                 "cancelled": "failed"}


def _result(op: Operation) -> dict[str, Any] | None:
    if op.status != "succeeded" or not op.result:
        return None
    shown = {k: v for k, v in op.result.items() if k not in _PRIVATE_RESULT}
    return {"url": results.presign(op.result["s3_key"]), "expires_at": int(time.time()) + results.PRESIGN_S,
            **shown}


def _error(op: Operation) -> dict[str, Any] | None:
    if not op.error or op.status == "succeeded":
        return None
    return {"code": op.error.get("code"), "message": op.error.get("message")}


def _job_id(op: Operation) -> dict[str, str]:
    """Older video clients read the job's id as `job_id`: the same id, beside `id`."""
    return {"job_id": op.id} if op.kind == "video" else {}


def operation_json(op: Operation) -> dict[str, Any]:
    return {
        "id": op.id,
        **_job_id(op),
        "object": "operation",
        "kind": op.kind,
        "model": op.model,
        "status": op.status,
        "progress": op.progress,
        "created_at": int(op.created_at),
        "updated_at": int(op.updated_at),
        "completed_at": int(op.finished_at) if op.finished_at else None,
        **operation_kind(op.kind).describe(op),
        "credits_reserved": credits_json(op.reserved),
        "credits_used": credits_json(op.charged) if op.charged is not None else None,
        "result": _result(op),
        "error": _error(op),
        "webhook_url": op.webhook_url,
    }


def video_json(op: Operation) -> dict[str, Any]:
    """OpenAI's Video object, so `client.videos.retrieve()` and `.poll()` work unchanged."""
    return {
        "id": op.id,
        **_job_id(op),
        "object": "video",
        "model": op.model,
        "status": _VIDEO_STATUS[op.status],
        "progress": 100 if op.status == "succeeded" else int(op.progress or 0),
        "created_at": int(op.created_at),
        "completed_at": int(op.finished_at) if op.finished_at else None,
        "expires_at": None,
        "prompt": op.params.get("prompt"),
        "seconds": str(op.params.get("seconds", "")),
        "size": op.params.get("size", ""),
        "remixed_from_video_id": None,
        "error": _error(op),
    }
