"""dynamodb_table_s3_migration on the emulator: 300 items of every attribute type exported, transformed with a key
change, imported into a new table and found there item for item; a re-run changes nothing.

ministack completes an export without writing its files (its ExportTableToPointInTime keeps only the
description), so the first run stops in the transform stage, with the export in its checkpoint; the test then
writes what AWS's export writes (manifest-summary.json, manifest-files.json, gzip DYNAMODB_JSON data files under
<prefix>/export/AWSDynamoDB/<export id>/, from a scan of the source) and the second run resumes from the same
export: that is the resume of a run stopped between stages. Everything else is the emulator's own: the
point-in-time recovery check, the export and import jobs, S3, the table ImportTable creates.
"""
import decimal
import json
import os
import subprocess
import uuid

import pytest
import yaml

from conftest import ENDPOINT, REGION, ROOT, aws_client
from ministack_export_files import scan_all  # noqa: E402  (scripts/, on sys.path through conftest)
from ministack_export_files import write_aws_export_files  # noqa: E402

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


def test_migrate_playbook_through_s3_hands_the_transformed_files_to_the_new_tables_stack(
        endpoint, ddb, cfn, run_playbook):
    """migrate_dynamodb_table.yml with dynamodb_migration_method=s3: the export and the transform, then the new
    table's stack declares it with the transformed files as its ImportSourceSpecification, so that it is a stack
    resource from its first second; the last task verifies the import that created it.

    Two gaps of ministack show here, each named by the run where AWS would go on: its export writes no file (the
    test writes them, as in the test above), and its CloudFormation creates a table declaring
    ImportSourceSpecification empty, without an import: the verification then fails, saying no import created the
    table. On AWS that import exists and is verified (its Stubber tests: TestImportByStack in
    tests/unit/plugins/module_utils/test_s3_migration.py)."""
    s3 = aws_client("s3")
    source, target, bucket = unique("s3mig-sessions"), unique("s3mig-sessions-v2"), unique("s3mig-bucket")
    stack = unique("s3mig-stack")
    ddb.create_table(TableName=source, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "sessionId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "sessionId", "AttributeType": "S"}])
    ddb.get_waiter("table_exists").wait(TableName=source)
    for start in range(0, ITEMS, 25):
        ddb.batch_write_item(RequestItems={source: [{"PutRequest": {"Item": item(number)}}
                                                    for number in range(start, min(start + 25, ITEMS))]})
    ddb.update_continuous_backups(TableName=source,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    s3.create_bucket(Bucket=bucket)
    variables = dict(dynamodb_migration_source_table=source, dynamodb_migration_stack_name=stack,
                     dynamodb_migration_method="s3", dynamodb_migration_s3_bucket=bucket,
                     dynamodb_migration_s3_prefix="sessions-v2", dynamodb_migration_sample_size=5,
                     dynamodb_migration_poll_interval=1,
                     dynamodb_migration_checkpoint_path=os.path.join(ROOT, ".run", "migration-%s.json" % stack),
                     dynamodb_migration_table=dict(name=target, hash_key=dict(name="PK", type="S"),
                                                   range_key=dict(name="SK", type="S"),
                                                   point_in_time_recovery=True))
    env = dict(ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")

    first = run_playbook("migrate_dynamodb_table.yml", extra_vars=variables, env=env)
    assert first.returncode != 0 and "method s3: " in first.output and "dynamodb_migration_method=s3" in first.output
    assert first.failures and "wrote no s3://" in first.failures[0], first.output  # ministack's export
    assert stack not in [summary["StackName"] for summary in cfn.list_stacks()["StackSummaries"]]
    with open(variables["dynamodb_migration_checkpoint_path"]) as handle:
        export_arn = json.load(handle)["export"]["arn"]
    write_aws_export_files(s3, ddb, bucket, "sessions-v2", source, export_arn)

    second = run_playbook("migrate_dynamodb_table.yml", extra_vars=variables, env=env)

    template = cfn.get_template(StackName=stack)["TemplateBody"]
    template = yaml.safe_load(template) if isinstance(template, str) else template  # YAML, as the role renders it
    tables = [resource for resource in template["Resources"].values() if resource["Type"] == "AWS::DynamoDB::Table"]
    assert [table["Properties"]["TableName"] for table in tables] == [target]
    assert tables[0]["Properties"]["ImportSourceSpecification"] == {
        "S3BucketSource": {"S3Bucket": bucket, "S3KeyPrefix": "sessions-v2/transformed/"},
        "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP"}, tables[0]["Properties"]
    transformed = [key["Key"] for key in s3.list_objects_v2(Bucket=bucket, Prefix="sessions-v2/transformed/")
                   ["Contents"]]
    assert transformed, "the transform wrote no file"
    assert second.returncode != 0 and len(second.failures) == 1, second.output
    assert "exists, but no import of s3://%s/sessions-v2/transformed/ created it" % bucket in second.failures[0]
