# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The S3 side of a migration through S3: the layout of a DynamoDB export, and one wrapper per S3 call.

AWS writes an export under <S3Prefix>/AWSDynamoDB/<export id>/: manifest-summary.json (which names
manifest-files.json), manifest-files.json (one JSON line per data file: dataFileS3Key, itemCount) and data/
(the gzip data files). The layout is AWS's documented one, read here rather than trusted from the emulator.
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_code
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages

NO_SUCH_KEY = error_code("NoSuchKey", "404")


class S3MigrationError(AnsibleAWSError):
    """An S3 call of the migration failed, or what the export wrote cannot be read."""


def export_directory(prefix, export_arn):
    """<prefix>/AWSDynamoDB/<export id>, the id being the last element of the export's ARN."""
    export_id = export_arn.rsplit("/", 1)[-1]
    return "/".join(part for part in (prefix.strip("/"), "AWSDynamoDB", export_id) if part)


def get_object(client, bucket, key):
    """The GetObject response (Body streams), or None when the object does not exist."""
    return call(client.get_object, S3MigrationError, "Failed to read s3://%s/%s" % (bucket, key), absent=NO_SUCH_KEY,
                Bucket=bucket, Key=key)


def put_object(client, bucket, key, body):
    call(client.put_object, S3MigrationError, "Failed to write s3://%s/%s" % (bucket, key), Bucket=bucket, Key=key,
         Body=body, ServerSideEncryption="AES256")


def list_keys(client, bucket, prefix):
    """Every object key under prefix, in key order."""
    keys = []
    for response in pages(client.list_objects_v2, S3MigrationError, "Failed to list s3://%s/%s" % (bucket, prefix),
                          token="NextContinuationToken", start_token="ContinuationToken", max_pages=100000,
                          Bucket=bucket, Prefix=prefix):
        keys.extend(entry["Key"] for entry in response.get("Contents", []))
    return keys


def export_data_files(client, bucket, prefix, export_arn):
    """[(data file key, item count)] of a completed export, from its manifests. Raises S3MigrationError."""
    directory = export_directory(prefix, export_arn)
    summary_key = directory + "/manifest-summary.json"
    summary = get_object(client, bucket, summary_key)
    if summary is None:
        raise S3MigrationError(message="The export %s wrote no s3://%s/%s; it cannot be transformed" % (
            export_arn, bucket, summary_key))
    files_key = json.loads(summary["Body"].read()).get("manifestFilesS3Key") or directory + "/manifest-files.json"
    listing = get_object(client, bucket, files_key)
    if listing is None:
        raise S3MigrationError(message="The export %s has no s3://%s/%s" % (export_arn, bucket, files_key))
    files = []
    for line in listing["Body"].iter_lines():
        if line.strip():
            entry = json.loads(line)
            files.append((entry["dataFileS3Key"], int(entry.get("itemCount", 0))))
    return files
