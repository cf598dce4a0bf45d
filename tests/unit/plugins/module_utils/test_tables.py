"""tables.py: thin DynamoDB wrappers (Stubber on the client that RetryingBotoClientWrapper wraps)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import table_holds_items
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_describe_table
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_scan

TABLE = "ai-chef-sessions"


class TestDescribeTable:
    def test_describe_table_exists_returns_table(self, dynamodb):
        stub_describe_table(dynamodb.stubber, TABLE)
        assert describe_table(dynamodb.wrapped(), TABLE)["TableName"] == TABLE

    def test_describe_table_missing_returns_none(self, dynamodb):
        stub_describe_table(dynamodb.stubber, TABLE, exists=False)
        assert describe_table(dynamodb.wrapped(), TABLE) is None

    def test_describe_table_access_denied_raises(self, dynamodb):
        stub_describe_table(dynamodb.stubber, TABLE, error_code="AccessDeniedException")
        with pytest.raises(DynamoDBError) as e:
            describe_table(dynamodb.wrapped(), TABLE)
        assert e.value.message == "Failed to describe table %s" % TABLE


class TestTableHoldsItems:
    def test_table_holds_items_count_zero_returns_false(self, dynamodb):
        stub_scan(dynamodb.stubber, TABLE, 0)
        assert table_holds_items(dynamodb.wrapped(), TABLE) is False

    def test_table_holds_items_count_one_returns_true(self, dynamodb):
        stub_scan(dynamodb.stubber, TABLE, 1, last_evaluated_key={"sessionId": {"S": "s-1"}})
        assert table_holds_items(dynamodb.wrapped(), TABLE) is True

    def test_table_holds_items_empty_page_with_more_to_read_returns_true(self, dynamodb):
        """Count 0 with a LastEvaluatedKey: the scan stopped early, items may follow; err on keeping data."""
        stub_scan(dynamodb.stubber, TABLE, 0, last_evaluated_key={"sessionId": {"S": "s-1"}})
        assert table_holds_items(dynamodb.wrapped(), TABLE) is True

    def test_table_holds_items_missing_table_returns_false(self, dynamodb):
        stub_scan(dynamodb.stubber, TABLE, 0, error_code="ResourceNotFoundException")
        assert table_holds_items(dynamodb.wrapped(), TABLE) is False

    def test_table_holds_items_access_denied_raises(self, dynamodb):
        stub_scan(dynamodb.stubber, TABLE, 0, error_code="AccessDeniedException")
        with pytest.raises(DynamoDBError, match="Failed to check whether table %s holds items" % TABLE):
            table_holds_items(dynamodb.wrapped(), TABLE)
