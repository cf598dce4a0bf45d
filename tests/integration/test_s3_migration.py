"""dynamodb_table_s3_migration on the emulator: 300 items of every attribute type exported, transformed with a key
change, imported into a new table and found there item for item; a re-run changes nothing.

ministack completes an export without writing its files (its ExportTableToPointInTime keeps only the
description), so the first run stops in the transform stage, with the export in its checkpoint; the test then
writes what AWS's export writes (manifest-summary.json, manifest-files.json, gzip DYNAMODB_JSON data files under
<prefix>/export/AWSDynamoDB/<export id>/, from a scan of the source) and the second run resumes from the same
export: that is the resume of a run stopped between stages. Everything else is the emulator's own: the
point-in-time recovery check, the export and import jobs, S3, the table ImportTable creates.
"""
import base64
import decimal
import gzip
import json
import os
import subprocess
import uuid

import pytest

from conftest import ENDPOINT, REGION, ROOT, aws_client

ITEMS = 300
KEY_CHANGE = {"derive": {"PK": "SESSION#{sessionId}", "SK": "META"}}


def unique(prefix):
    # No "test" in names: the inventory's dummy secret key is "test", and Ansible masks it in every result.
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def item(number):
    """Every attribute type, numbers at DynamoDB's 38 digits and at its exponent bounds, binaries with every byte."""
    return {
        "sessionId": {"S": "session-%04d" % number},
        "title": {"S": "ünïcødé #%d 🍲" % number},
        "big": {"N": "9" * 38 if number % 2 else "-0.%s" % ("1" * 38)},
        "exponent": {"N": "1E+125" if number % 3 else "-1E-130"},
        "small": {"N": str(number)},
        "blob": {"B": bytes(range(256))[number % 256:] + b"\x00"},
        "tags": {"SS": ["chef", "tag-%d" % number]},
        "ratings": {"NS": ["1.5", "12345678901234567890123456789012345678", str(number + 2)]},
        "keys": {"BS": [b"\x00\x01", b"\xff" * (number % 5 + 1)]},
        "settings": {"M": {"lang": {"S": "ko"}, "nested": {"M": {"deep": {"L": [
            {"N": "0.000001"}, {"B": b"\x10\x20"}, {"NULL": True}, {"BOOL": False}, {"SS": ["a"]}]}}}}},
        "steps": {"L": [{"S": "chop"}, {"N": "2"}, {"M": {"minutes": {"N": "7.25"}}}, {"L": []}]},
        "vegan": {"BOOL": number % 2 == 0},
        "deletedAt": {"NULL": True},
    }


def canonical(value):
    """A comparable form: sets unordered, numbers by value (DynamoDB may normalise their text), binary as bytes."""
    (kind, raw), = value.items()
    if kind == "N":
        return kind, decimal.Decimal(raw)
    if kind in ("SS", "BS"):
        return kind, frozenset(bytes(element) if kind == "BS" else element for element in raw)
    if kind == "NS":
        return kind, frozenset(decimal.Decimal(element) for element in raw)
    if kind == "B":
        return kind, bytes(raw)
    if kind == "L":
        return kind, tuple(canonical(element) for element in raw)
    if kind == "M":
        return kind, frozenset((name, canonical(element)) for name, element in raw.items())
    return kind, raw


def canonical_item(values):
    return frozenset((name, canonical(value)) for name, value in values.items())


def scan_all(ddb, table):
    items, start = [], {}
    while True:
        page = ddb.scan(TableName=table, **start)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def as_json(value):
    """A boto3 AttributeValue in DynamoDB JSON, as an export writes it (binaries base64)."""
    (kind, raw), = value.items()
    if kind == "B":
        return {kind: base64.b64encode(raw).decode()}
    if kind == "BS":
        return {kind: [base64.b64encode(element).decode() for element in raw]}
    if kind == "L":
        return {kind: [as_json(element) for element in raw]}
    if kind == "M":
        return {kind: dict((name, as_json(element)) for name, element in raw.items())}
    return value


def write_aws_export_files(s3, ddb, bucket, prefix, table, export_arn, files=3):
    """What AWS's export writes and ministack does not: the manifests and the gzip data files, from a scan."""
    directory = "%s/export/AWSDynamoDB/%s" % (prefix, export_arn.rsplit("/", 1)[-1])
    items = scan_all(ddb, table)
    listing = []
    for index in range(files):
        part = items[index::files]
        key = "%s/data/%d-%s.json.gz" % (directory, index, uuid.uuid4().hex[:8])
        lines = "".join(json.dumps({"Item": dict((name, as_json(value)) for name, value in entry.items())}) + "\n"
                        for entry in part)
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(lines.encode("utf-8")))
        listing.append(json.dumps({"itemCount": len(part), "dataFileS3Key": key}))
    files_key = directory + "/manifest-files.json"
    s3.put_object(Bucket=bucket, Key=files_key, Body=("\n".join(listing) + "\n").encode())
    s3.put_object(Bucket=bucket, Key=directory + "/manifest-summary.json", Body=json.dumps(
        {"exportArn": export_arn, "itemCount": len(items), "outputFormat": "DYNAMODB_JSON",
         "manifestFilesS3Key": files_key}).encode())


@pytest.fixture
def migrate(tmp_path):
    """migrate(**args) -> the module's result. The module runs as Ansible runs it on the host, its file executed
    with the arguments file (about 3 s a run, against 9 to 12 s for ansible-playbook on a loaded 2-core machine);
    the playbook path of the module is test_examples.py's."""
    module = os.path.join(ROOT, ".collections", "ansible_collections", "aichef", "dynamodb", "plugins", "modules",
                          "dynamodb_table_s3_migration.py")
    arguments = tmp_path / "args.json"
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".collections"))

    def run(**args):
        arguments.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(
            args, region=REGION, endpoint_url=ENDPOINT, access_key="test", secret_key="test")}))
        completed = subprocess.run([os.path.join(ROOT, ".venv", "bin", "python"), module, str(arguments)],
                                   cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120,
                                   check=False)
        assert completed.stdout.strip(), completed.stderr
        return json.loads(completed.stdout)
    return run


def test_key_change_through_s3_item_for_item_then_rerun_unchanged(endpoint, ddb, migrate, tmp_path):
    s3 = aws_client("s3")
    source, target, bucket = unique("s3mig-sessions"), unique("s3mig-sessions-v2"), unique("s3mig-bucket")
    ddb.create_table(TableName=source, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "sessionId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "sessionId", "AttributeType": "S"}])
    ddb.get_waiter("table_exists").wait(TableName=source)
    items = [item(number) for number in range(ITEMS)]
    for start in range(0, ITEMS, 25):
        ddb.batch_write_item(RequestItems={source: [{"PutRequest": {"Item": entry}}
                                                    for entry in items[start:start + 25]]})
    s3.create_bucket(Bucket=bucket)
    args = dict(source_table=source, target_table=target, s3_bucket=bucket, s3_prefix="sessions-v2",
                hash_key={"name": "PK"}, range_key={"name": "SK"}, transform=KEY_CHANGE,
                checkpoint_path=str(tmp_path / "checkpoint.json"), poll_interval=1, verify_sample_size=25)

    # Point-in-time recovery off: refused before any write, as AWS's export would refuse it.
    refused = migrate(**args)
    assert refused["failed"] and "point-in-time recovery off" in refused["msg"], refused
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert not os.path.exists(args["checkpoint_path"])

    ddb.update_continuous_backups(TableName=source,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    stopped = migrate(**args)  # the export completes; ministack wrote no file, so the transform stops
    assert stopped["failed"] and "wrote no s3://" in stopped["msg"], stopped
    export_arn = stopped["migration"]["export"]["arn"]
    assert stopped["migration"]["export"]["status"] == "done"
    assert target not in ddb.list_tables()["TableNames"]

    write_aws_export_files(s3, ddb, bucket, "sessions-v2", source, export_arn)
    done = migrate(**args)
    assert not done.get("failed") and done["changed"], done
    report = done["migration"]
    assert report["resumed"] is True and report["export"]["arn"] == export_arn  # the same export, reused
    assert report["transform"]["items_written"] == ITEMS and report["transform"]["files"] == 3
    assert report["verification"]["counts_match"] and report["verification"]["sample_matched"] == 25, report
    expected = set(canonical_item(dict(entry, PK={"S": "SESSION#" + entry["sessionId"]["S"]}, SK={"S": "META"}))
                   for entry in items)
    copied = scan_all(ddb, target)
    assert len(copied) == ITEMS and set(canonical_item(entry) for entry in copied) == expected
    exports = ddb.list_exports(TableArn=ddb.describe_table(TableName=source)["Table"]["TableArn"])
    assert len(exports["ExportSummaries"]) == 1

    again = migrate(**args)
    assert not again.get("failed") and again["changed"] is False, again
    assert again["migration"]["import_job"]["arn"] == report["import_job"]["arn"]
    assert len(scan_all(ddb, target)) == ITEMS
