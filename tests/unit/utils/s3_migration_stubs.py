"""Stub helpers for dynamodb_table_s3_migration: one per AWS call of a stage, expected_params always set.

They queue answers on the conftest's `dynamodb` and `s3` StubbedClient fixtures; the Stubber validates each
answer against the service model and refuses any call that was not queued.
"""
import datetime
import gzip
import io
import json

from botocore.response import StreamingBody

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import s3_migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.dynamodb_json import encode_item
from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_table_s3_migration as module

SOURCE = "ai-chef-sessions"
TARGET = "ai-chef-sessions-v2"
ACCOUNT_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/"
BUCKET = "ai-chef-migrations"
PREFIX = "sessions-v2"
EXPORT_ARN = ACCOUNT_ARN + SOURCE + "/export/01700000000000-abcd1234"
IMPORT_ARN = ACCOUNT_ARN + TARGET + "/import/01700000000001-dcba4321"
EXPORT_DIRECTORY = PREFIX + "/export/AWSDynamoDB/01700000000000-abcd1234"
KEY_CHANGE = dict(derive=dict(PK="SESSION#{sessionId}", SK="META"))


def params(**overrides):
    """The options as AnsibleAWSModule hands them over: the module's own defaults (read from its argument spec, so
    that no copy of them can drift), then this suite's tables, bucket, key change and quick waits."""
    values = dict((name, spec.get("default")) for name, spec in module.ARGUMENT_SPEC.items())
    values.update(source_table=SOURCE, target_table=TARGET, s3_bucket=BUCKET, s3_prefix=PREFIX,
                  hash_key=dict(name="PK", type="S"), range_key=dict(name="SK", type="S"), checkpoint_path=None,
                  verify_sample_size=0, wait_timeout=600, transform=KEY_CHANGE, backoff_retries=2, backoff_delay=1,
                  backoff_max_delay=1)
    values.update(overrides)
    return values


def identity():
    where = dict(region="us-east-1", endpoint_url=None)
    return dict(source=dict(where, table=SOURCE), target=dict(where, table=TARGET))


def body(data):
    return StreamingBody(io.BytesIO(data), len(data))


def export_file(items):
    """A data file as AWS's export writes it: gzip, one {"Item": ...} line per item (binaries base64)."""
    return gzip.compress(b"".join((json.dumps({"Item": encode_item(item)}) + "\n").encode() for item in items))


def stub_source(dynamodb, size=0, items=0):
    dynamodb.stubber.add_response("describe_table", {"Table": {
        "TableName": SOURCE, "TableArn": ACCOUNT_ARN + SOURCE, "TableStatus": "ACTIVE", "TableSizeBytes": size,
        "ItemCount": items, "KeySchema": [{"AttributeName": "sessionId", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "sessionId", "AttributeType": "S"}]}}, {"TableName": SOURCE})


def stub_pitr(dynamodb, status="ENABLED", window=None):
    """window: (EarliestRestorableDateTime, LatestRestorableDateTime), datetimes."""
    recovery = {"PointInTimeRecoveryStatus": status}
    if window:
        recovery.update(EarliestRestorableDateTime=window[0], LatestRestorableDateTime=window[1])
    dynamodb.stubber.add_response("describe_continuous_backups", {"ContinuousBackupsDescription": {
        "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}}, {"TableName": SOURCE})


def stub_target_absent(dynamodb):
    dynamodb.stubber.add_client_error("describe_table", service_error_code="ResourceNotFoundException",
                                      service_message="Requested resource not found", http_status_code=400,
                                      expected_params={"TableName": TARGET})


def stub_target_exists(dynamodb):
    dynamodb.stubber.add_response("describe_table", {"Table": {
        "TableName": TARGET, "TableArn": ACCOUNT_ARN + TARGET, "TableStatus": "ACTIVE", "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}]}}, {"TableName": TARGET})


def stub_prefix_listing(s3, keys=()):
    s3.stubber.add_response("list_objects_v2", {"Contents": [{"Key": key} for key in keys], "KeyCount": len(keys)},
                            {"Bucket": BUCKET, "Prefix": PREFIX + "/"})


def fingerprint(plan):
    return s3_migration.fingerprint_of(plan)


def stub_start_export(dynamodb, plan):
    dynamodb.stubber.add_response("export_table_to_point_in_time", {"ExportDescription": {
        "ExportArn": EXPORT_ARN, "ExportStatus": "IN_PROGRESS"}}, {
        "TableArn": ACCOUNT_ARN + SOURCE, "S3Bucket": BUCKET, "S3Prefix": PREFIX + "/export",
        "ExportFormat": "DYNAMODB_JSON", "ExportType": "FULL_EXPORT",
        "ClientToken": s3_migration.client_token(fingerprint(plan), "export")})


def stub_describe_export(dynamodb, status="COMPLETED", items=0, **extra):
    description = dict({"ExportArn": EXPORT_ARN, "ExportStatus": status}, **extra)
    if status == "COMPLETED":
        description.update(ItemCount=items, BilledSizeBytes=items * 100)
    dynamodb.stubber.add_response("describe_export", {"ExportDescription": description}, {"ExportArn": EXPORT_ARN})


def stub_get(s3, key, data=None):
    if data is None:
        s3.stubber.add_client_error("get_object", service_error_code="NoSuchKey", service_message="missing",
                                    http_status_code=404, expected_params={"Bucket": BUCKET, "Key": key})
    else:
        s3.stubber.add_response("get_object", {"Body": body(data)}, {"Bucket": BUCKET, "Key": key})


def stub_manifests(s3, data_keys):
    files_key = EXPORT_DIRECTORY + "/manifest-files.json"
    stub_get(s3, EXPORT_DIRECTORY + "/manifest-summary.json", json.dumps({"manifestFilesS3Key": files_key}).encode())
    stub_get(s3, files_key, "".join(json.dumps({"dataFileS3Key": key, "itemCount": 1}) + "\n"
                                    for key in data_keys).encode())


def data_key(index):
    return EXPORT_DIRECTORY + "/data/file%d.json.gz" % index


def part_key(index, part=0):
    return "%s/transformed/%06d-%04d.json.gz" % (PREFIX, index, part)


class PutBodies:
    """The put_object calls' bodies, decompressed to items, by key (a Stubber cannot compare gzip bytes:
    the header holds a time)."""

    def __init__(self):
        self.items = {}

    def stub(self, s3, key):
        s3.stubber.add_response("put_object", {}, {"Bucket": BUCKET, "Key": key, "Body": self.capture(key),
                                                   "ServerSideEncryption": "AES256"})

    def capture(self, key):
        bodies = self

        class Capture:
            def __eq__(self, other):
                lines = gzip.decompress(other).decode().splitlines()
                bodies.items[key] = [json.loads(line)["Item"] for line in lines]
                return True
        return Capture()


def stub_start_import(dynamodb, plan):
    dynamodb.stubber.add_response("import_table", {"ImportTableDescription": {
        "ImportArn": IMPORT_ARN, "ImportStatus": "IN_PROGRESS"}}, {
        "ClientToken": s3_migration.client_token(fingerprint(plan), "import"),
        "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": PREFIX + "/transformed/"},
        "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
        "TableCreationParameters": {
            "TableName": TARGET, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                                     {"AttributeName": "SK", "AttributeType": "S"}]}})


def stub_describe_import(dynamodb, status="COMPLETED", imported=0, processed=None, errors=0, **extra):
    description = dict({"ImportArn": IMPORT_ARN, "ImportStatus": status, "ImportedItemCount": imported,
                        "ProcessedItemCount": imported if processed is None else processed, "ErrorCount": errors},
                       **extra)
    dynamodb.stubber.add_response("describe_import", {"ImportTableDescription": description},
                                  {"ImportArn": IMPORT_ARN})


def stub_imports_into_target(dynamodb, prefixes=(PREFIX + "/transformed/",)):
    """ListImports by the target's ARN: one COMPLETED import from each of prefixes (of BUCKET), IMPORT_ARN the last."""
    summaries = [{"ImportArn": IMPORT_ARN if index == len(prefixes) - 1 else IMPORT_ARN + "-%d" % index,
                  "ImportStatus": "COMPLETED", "TableArn": ACCOUNT_ARN + TARGET,
                  "S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": prefix},
                  "StartTime": datetime.datetime(2026, 12, 4, 18, index, tzinfo=datetime.timezone.utc)}
                 for index, prefix in enumerate(prefixes)]
    dynamodb.stubber.add_response("list_imports", {"ImportSummaryList": summaries},
                                  {"TableArn": ACCOUNT_ARN + TARGET, "PageSize": 25})


def session(number, **extra):
    item = {"sessionId": {"S": "s%04d" % number}, "n": {"N": "1234567890123456789012345678901234567.8"}}
    item.update(extra)
    return item
