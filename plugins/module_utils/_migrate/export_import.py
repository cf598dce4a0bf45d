# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DynamoDB side of a migration through S3: point-in-time recovery, the export, the import, and their waits.

One wrapper per call, through call(). Both jobs are started with a ClientToken derived from the migration, so a
call repeated after an interruption (within AWS's 8 hours) returns the job already started instead of a second
one. The waits poll the job's description until it leaves IN_PROGRESS, with a deadline.
"""

import itertools
import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import all_pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import PollTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_until
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_continuous_backups

IN_PROGRESS = "IN_PROGRESS"


def point_in_time_recovery(client, table_name):
    """The table's PointInTimeRecoveryDescription (status and restorable window), {} when there is none."""
    description = describe_continuous_backups(client, table_name) or {}
    return description.get("PointInTimeRecoveryDescription", {})


def start_export(client, table_arn, bucket, prefix, client_token, export_time=None):
    kwargs = dict(TableArn=table_arn, S3Bucket=bucket, S3Prefix=prefix, ExportFormat="DYNAMODB_JSON",
                  ExportType="FULL_EXPORT", ClientToken=client_token)
    if export_time is not None:
        kwargs["ExportTime"] = export_time
    return call(client.export_table_to_point_in_time, DynamoDBError, "Failed to export %s to s3://%s/%s" % (
        table_arn, bucket, prefix), **kwargs)["ExportDescription"]


def describe_export(client, export_arn):
    return call(client.describe_export, DynamoDBError, "Failed to describe export %s" % export_arn,
                ExportArn=export_arn)["ExportDescription"]


def start_import(client, bucket, prefix, table_parameters, client_token):
    return call(client.import_table, DynamoDBError, "Failed to import s3://%s/%s into %s" % (
        bucket, prefix, table_parameters["TableName"]), ClientToken=client_token,
        S3BucketSource=dict(S3Bucket=bucket, S3KeyPrefix=prefix), InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP", TableCreationParameters=table_parameters)["ImportTableDescription"]


def describe_import(client, import_arn):
    return call(client.describe_import, DynamoDBError, "Failed to describe import %s" % import_arn,
                ImportArn=import_arn)["ImportTableDescription"]


def imports_into(client, table_arn):
    """The ImportSummaryList entries of the imports that created the table (a table is created by at most one, but
    ListImports may also show failed attempts under the same name)."""
    return all_pages(client.list_imports, "ImportSummaryList", DynamoDBError,
                     "Failed to list the imports into %s" % table_arn, TableArn=table_arn, PageSize=25)


def wait_for(describe, status_field, what, poll_interval, timeout, sleep=time.sleep, clock=time.monotonic):
    """The job's description once its status_field leaves IN_PROGRESS; DynamoDBError past timeout seconds."""
    try:
        return poll_until(describe, lambda description: description.get(status_field) != IN_PROGRESS, timeout,
                          delays=itertools.repeat(poll_interval), sleep=sleep, clock=clock)
    except PollTimeout:
        raise DynamoDBError(message="%s is still IN_PROGRESS after %d seconds; re-run to keep waiting (the "
                                    "checkpoint holds it)" % (what, timeout)) from None
