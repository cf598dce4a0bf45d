"""backups: ListBackups over all pages (Stubber on the client that RetryingBotoClientWrapper wraps)."""
import datetime

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.backups import list_backups


TABLE = "ai-chef-sessions"
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/%s/backup/01700000000000-%s"


def summary(name):
    return dict(TableName=TABLE, BackupName=name, BackupArn=ARN % (TABLE, name), BackupStatus="AVAILABLE",
                BackupType="USER", BackupCreationDateTime=datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc))


class TestListBackups:
    def test_list_backups_every_type_all_pages(self, dynamodb):
        expected = dict(TableName=TABLE, BackupType="ALL")
        dynamodb.stubber.add_response("list_backups", dict(BackupSummaries=[summary("daily-a")],
                                                           LastEvaluatedBackupArn=ARN % (TABLE, "daily-a")), expected)
        dynamodb.stubber.add_response("list_backups", dict(BackupSummaries=[summary("daily-b")]),
                                      dict(expected, ExclusiveStartBackupArn=ARN % (TABLE, "daily-a")))

        assert [b["BackupName"] for b in list_backups(dynamodb.wrapped(), TABLE)] == ["daily-a", "daily-b"]

    def test_list_backups_missing_table_is_empty(self, dynamodb):
        dynamodb.stubber.add_client_error("list_backups", "TableNotFoundException")
        assert list_backups(dynamodb.wrapped(), TABLE) == []

    def test_list_backups_access_denied_raises(self, dynamodb):
        dynamodb.stubber.add_client_error("list_backups", "AccessDeniedException")
        with pytest.raises(DynamoDBError, match="Failed to list the backups of table ai-chef-sessions"):
            list_backups(dynamodb.wrapped(), TABLE)
