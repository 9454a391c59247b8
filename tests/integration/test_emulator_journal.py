"""The emulator's journal on its own: what it answered survives its SIGKILL (no snapshot needed), a torn
last record (a kill in the middle of an append) is dropped, segments a snapshot already holds are never replayed again, and multipart
uploads (whose ids moto makes up) replay into the same objects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from tollway.local.emulator import Emulator
from tollway.local.emulator_journal import segments

TABLE = "Things"
BUCKET = "files"


@contextmanager
def emulator(data_dir: Path) -> Iterator[tuple[Emulator, Any, Any]]:
    emu = Emulator.start(data_dir=data_dir)
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    try:
        yield emu, session.client("dynamodb", endpoint_url=emu.endpoint), session.client("s3", endpoint_url=emu.endpoint)
    finally:
        emu.stop()


def kill(emu: Emulator) -> None:
    emu.process.kill()
    emu.process.wait()


def make_store(ddb: Any, s3: Any) -> None:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    s3.create_bucket(Bucket=BUCKET)


def value(ddb: Any, item_id: str) -> int | None:
    item = ddb.get_item(TableName=TABLE, Key={"id": {"S": item_id}}, ConsistentRead=True).get("Item")
    return int(item["n"]["N"]) if item else None


def test_writes_the_emulator_answered_survive_its_sigkill_before_any_snapshot_and_a_torn_tail_is_dropped(
        tmp_path: Path) -> None:
    part = b"p" * (5 * 1024 * 1024)  # S3's smallest part but the last
    with emulator(tmp_path) as (emu, ddb, s3):
        make_store(ddb, s3)
        for n in range(20):
            ddb.put_item(TableName=TABLE, Item={"id": {"S": f"i{n}"}, "n": {"N": str(n)}})
        ddb.update_item(TableName=TABLE, Key={"id": {"S": "i3"}}, UpdateExpression="SET n = n + :one",
                        ConditionExpression="n = :three",
                        ExpressionAttributeValues={":one": {"N": "1"}, ":three": {"N": "3"}})
        ddb.delete_item(TableName=TABLE, Key={"id": {"S": "i5"}})
        s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"alpha", ContentType="text/plain")
        s3.put_object(Bucket=BUCKET, Key="gone.txt", Body=b"soon deleted")
        s3.delete_object(Bucket=BUCKET, Key="gone.txt")
        s3.copy_object(Bucket=BUCKET, Key="b.txt", CopySource={"Bucket": BUCKET, "Key": "a.txt"})
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key="big.bin")["UploadId"]
        etags = [s3.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=upload, PartNumber=number,
                                Body=body)["ETag"] for number, body in ((1, part), (2, b"tail"))]
        s3.complete_multipart_upload(Bucket=BUCKET, Key="big.bin", UploadId=upload, MultipartUpload={
            "Parts": [{"ETag": etag, "PartNumber": number} for number, etag in enumerate(etags, 1)]})
        kill(emu)  # within seconds of the writes: before the first snapshot (every 5 s)
        assert not (tmp_path / "emulator.pickle").exists()
    _, newest = segments(tmp_path)[-1]
    with newest.open("ab") as journal:
        journal.write(b"\x40\x00\x00\x00\x01\x02\x03\x04half a record")  # killed in the middle of an append

    with emulator(tmp_path) as (emu, ddb, s3):
        assert [value(ddb, f"i{n}") for n in range(20)] == [{3: 4, 5: None}.get(n, n) for n in range(20)]
        assert s3.get_object(Bucket=BUCKET, Key="a.txt")["Body"].read() == b"alpha"
        assert s3.get_object(Bucket=BUCKET, Key="a.txt")["ContentType"] == "text/plain"
        assert s3.get_object(Bucket=BUCKET, Key="b.txt")["Body"].read() == b"alpha"
        assert s3.get_object(Bucket=BUCKET, Key="big.bin")["Body"].read() == part + b"tail"
        assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="gone")
        ddb.put_item(TableName=TABLE, Item={"id": {"S": "after"}, "n": {"N": "99"}})  # never after the torn bytes
        kill(emu)
    with emulator(tmp_path) as (emu, ddb, s3):
        assert (value(ddb, "i0"), value(ddb, "after")) == (0, 99)


def test_segments_a_snapshot_already_holds_are_not_replayed_again(tmp_path: Path) -> None:
    with emulator(tmp_path) as (emu, ddb, s3):
        make_store(ddb, s3)
        ddb.put_item(TableName=TABLE, Item={"id": {"S": "x"}, "n": {"N": "1"}})
        _, first = segments(tmp_path)[-1]
        stale = first.read_bytes()
        ddb.update_item(TableName=TABLE, Key={"id": {"S": "x"}}, UpdateExpression="SET n = :two",
                        ExpressionAttributeValues={":two": {"N": "2"}})
    # Stopped cleanly: a final snapshot, the segments it holds deleted. Put one back, as a crash
    # between writing a snapshot and deleting the old segments would leave it.
    assert (tmp_path / "emulator.pickle").exists() and not first.exists()
    first.write_bytes(stale)

    with emulator(tmp_path) as (emu, ddb, s3):
        assert value(ddb, "x") == 2  # replaying the stale segment would have made it 1 again
        assert not first.exists()
