# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin read-only DynamoDB backup wrappers (what the guide lists by hand with the CLI's list-backups): retried, paginated.

The point-in-time recovery window comes from tables.describe_continuous_backups.
"""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing SDK

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError

# A bound on the pages of ListBackups for one table (each page holds up to 100 backups).
MAX_BACKUP_PAGES = 100


def list_backups(client, table_name):
    """The BackupSummaries of every kind (on-demand, AWS Backup, system) of the table, all pages; [] when the
    table does not exist."""
    summaries = []
    kwargs = dict(TableName=table_name, BackupType="ALL")
    try:
        for _page in range(MAX_BACKUP_PAGES):
            response = client.list_backups(aws_retry=True, **kwargs)
            summaries.extend(response.get("BackupSummaries", []))
            if not response.get("LastEvaluatedBackupArn"):
                return summaries
            kwargs["ExclusiveStartBackupArn"] = response["LastEvaluatedBackupArn"]
    except is_boto3_error_code(["TableNotFoundException", "ResourceNotFoundException"]):
        return []
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise DynamoDBError(message="Failed to list the backups of table %s" % table_name, exception=e)
    return summaries
