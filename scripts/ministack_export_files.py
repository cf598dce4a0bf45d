"""What AWS's ExportTableToPointInTime writes and ministack's does not: the manifests and the gzip DynamoDB JSON data
files of an export, under <prefix>/export/AWSDynamoDB/<export id>/, written from a scan of the table.

ministack completes an export without writing its files (docs/emulator-gaps.md). The tests of the migration through
S3 and benchmarks/migration_methods.py write them with this, after the module's export job, so that the transform
reads files as AWS writes them. Stdlib and boto3 only.
"""
import base64
import gzip
import json
import uuid


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
    """The export's manifests and `files` gzip data files, from a scan; returns the bytes of DynamoDB JSON written
    (uncompressed: what an import of them is billed on)."""
    directory = "%s/export/AWSDynamoDB/%s" % (prefix, export_arn.rsplit("/", 1)[-1])
    items = scan_all(ddb, table)
    listing, written = [], 0
    for index in range(files):
        part = items[index::files]
        key = "%s/data/%d-%s.json.gz" % (directory, index, uuid.uuid4().hex[:8])
        lines = "".join(json.dumps({"Item": dict((name, as_json(value)) for name, value in entry.items())}) + "\n"
                        for entry in part).encode("utf-8")
        written += len(lines)
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(lines))
        listing.append(json.dumps({"itemCount": len(part), "dataFileS3Key": key}))
    files_key = directory + "/manifest-files.json"
    s3.put_object(Bucket=bucket, Key=files_key, Body=("\n".join(listing) + "\n").encode())
    s3.put_object(Bucket=bucket, Key=directory + "/manifest-summary.json", Body=json.dumps(
        {"exportArn": export_arn, "itemCount": len(items), "outputFormat": "DYNAMODB_JSON",
         "manifestFilesS3Key": files_key}).encode())
    return written
