# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin read-only DynamoDB backup wrappers (what the guide lists by hand with the CLI's list-backups): retried, paginated.

The point-in-time recovery window comes from tables.describe_continuous_backups.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import TABLE_ABSENT

# A bound on the pages of ListBackups for one table (each page holds up to 100 backups).
MAX_BACKUP_PAGES = 100


def list_backups(client, table_name):
    """The BackupSummaries of every kind (on-demand, AWS Backup, system) of the table, all pages; [] when the
    table does not exist."""
    summaries = []
    for response in pages(client.list_backups, DynamoDBError, "Failed to list the backups of table %s" % table_name,
                          absent=TABLE_ABSENT, token="LastEvaluatedBackupArn", start_token="ExclusiveStartBackupArn",
                          max_pages=MAX_BACKUP_PAGES, TableName=table_name, BackupType="ALL"):
        summaries.extend(response.get("BackupSummaries", []))
    return summaries
