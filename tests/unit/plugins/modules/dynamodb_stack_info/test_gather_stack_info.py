"""gather_stack_info: what dynamodb_stack_info returns, call by call (botocore Stubber)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import gather_stack_info
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team


def by_logical_id(entries):
    return dict((entry["logical_resource_id"], entry) for entry in entries)


class TestGatherStackInfo:
    def test_gather_stack_info_team_stack_returns_every_resource_normalised(self, stubbed_clients):
        """One describe per table (plus TTL and backups), one DescribeAlarms, one DescribeLogGroups."""
        team.stub_team_stack(stubbed_clients, ttl_enabled=True, pitr_enabled=True)

        info = gather_stack_info(stubbed_clients, team.STACK_NAME)

        stack = info["stack"]
        assert stack["stack_status"] == "CREATE_COMPLETE"
        assert stack["stack_id"] == team.STACK_ID
        assert stack["creation_time"] == "2026-11-25T08:35:25+00:00"
        assert stack["outputs"]["SessionsTableArn"] == team.table_arn(team.SESSIONS)
        assert stack["tags"] == {"Service": "ai-chef"}
        assert [export["name"] for export in stack["exports"]] == [
            "ai-chef-dynamodb-SessionsTable", "ai-chef-dynamodb-ResultsTable",
            "ai-chef-dynamodb-SessionsTableArn", "ai-chef-dynamodb-ResultsTableArn"]
        assert [r["logical_resource_id"] for r in stack["resources"]] == [
            "AiChefResultsTable", "AiChefSessionsTable", "DynamoDBLogGroup", "SessionsTableErrorAlarm"]

        tables = by_logical_id(info["tables"])
        sessions = tables["AiChefSessionsTable"]
        assert sessions["exists"] is True
        assert sessions["table_name"] == team.SESSIONS
        assert sessions["billing_mode"] == "PAY_PER_REQUEST"
        assert sessions["table_class"] == "STANDARD"
        assert sessions["key_schema"] == [{"attribute_name": "sessionId", "key_type": "HASH"}]
        assert sessions["time_to_live"] == {"status": "ENABLED", "attribute_name": "TTL"}
        assert sessions["point_in_time_recovery"]["status"] == "ENABLED"
        assert sessions["point_in_time_recovery"]["recovery_period_in_days"] == 35
        assert tables["AiChefResultsTable"]["global_secondary_indexes"][0]["index_name"] == "sessionId-index"

        assert info["alarms"][0]["alarm_name"] == team.ALARM
        assert info["alarms"][0]["dimensions"] == [{"name": "TableName", "value": team.SESSIONS}]
        assert info["log_groups"][0]["retention_in_days"] == 7
        assert stubbed_clients.requested.count("dynamodb") == 2

    def test_gather_stack_info_absent_stack_returns_empty_stack(self, stubbed_clients):
        """CloudFormation says "does not exist" with a ValidationError: that is data, not a failure."""
        team.stub_stack_absent(stubbed_clients)

        info = gather_stack_info(stubbed_clients, team.STACK_NAME)

        assert info == dict(stack={}, tables=[], alarms=[], log_groups=[])
        assert stubbed_clients.requested == ["cloudformation"]

    def test_gather_stack_info_delete_complete_stack_is_absent(self, stubbed_clients):
        team.stub_describe_stack(stubbed_clients, team.team_stack("DELETE_COMPLETE"))

        assert gather_stack_info(stubbed_clients, team.STACK_NAME)["stack"] == {}

    def test_gather_stack_info_table_deleted_by_hand_is_reported_absent(self, stubbed_clients):
        """A missing table costs one DescribeTable, and no TTL or backup call."""
        team.stub_describe_stack(stubbed_clients)
        team.stub_list_stack_resources(stubbed_clients, team.team_resources()[:2])
        team.stub_list_exports(stubbed_clients)
        team.stub_table_absent(stubbed_clients, team.RESULTS)
        team.stub_table(stubbed_clients, team.sessions_table())

        info = gather_stack_info(stubbed_clients, team.STACK_NAME)

        assert info["tables"][0] == dict(logical_resource_id="AiChefResultsTable", table_name=team.RESULTS,
                                         exists=False)
        assert info["tables"][1]["exists"] is True
        assert info["alarms"] == [] and info["log_groups"] == []
        assert "cloudwatch" not in stubbed_clients.requested and "logs" not in stubbed_clients.requested

    def test_gather_stack_info_alarm_deleted_by_hand_is_reported_absent(self, stubbed_clients):
        team.stub_team_stack(stubbed_clients, alarms=[])

        info = gather_stack_info(stubbed_clients, team.STACK_NAME)

        assert info["alarms"] == [dict(logical_resource_id="SessionsTableErrorAlarm", alarm_name=team.ALARM,
                                       exists=False)]

    def test_gather_stack_info_log_group_matches_exact_name_only(self, stubbed_clients):
        """DescribeLogGroups matches a prefix: /aws/dynamodb/ai-chef-tables-old is another group."""
        other = team.team_log_group()
        other["logGroupName"] = team.LOG_GROUP + "-old"
        team.stub_team_stack(stubbed_clients, groups=[other])

        info = gather_stack_info(stubbed_clients, team.STACK_NAME)

        assert info["log_groups"] == [dict(logical_resource_id="DynamoDBLogGroup", log_group_name=team.LOG_GROUP,
                                           exists=False)]

    def test_gather_stack_info_log_group_without_retention_reads_none(self, stubbed_clients):
        team.stub_team_stack(stubbed_clients, groups=[team.team_log_group(retention=None)])

        assert gather_stack_info(stubbed_clients, team.STACK_NAME)["log_groups"][0]["retention_in_days"] is None

    def test_gather_stack_info_exports_of_other_stacks_are_left_out(self, stubbed_clients):
        """ListExports lists the whole account's exports, over pages."""
        foreign = dict(ExportingStackId=team.STACK_ID.replace("ai-chef-dynamodb", "other"), Name="other-X",
                       Value="x")
        team.stub_describe_stack(stubbed_clients)
        team.stub_list_stack_resources(stubbed_clients, [])
        team.stub_list_exports(stubbed_clients, [foreign] + team.team_exports()[:2], next_token="page-2")
        team.stub_list_exports(stubbed_clients, team.team_exports()[2:], token_sent="page-2")

        info = gather_stack_info(stubbed_clients, team.STACK_NAME)

        assert [export["name"] for export in info["stack"]["exports"]] == [
            export["Name"] for export in team.team_exports()]
        assert info["tables"] == []

    def test_gather_stack_info_throttled_call_is_retried(self, stubbed_clients):
        """Throttling is retried by the collection's retry decorator (zero delays here)."""
        stubbed_clients.stubber("cloudformation").add_client_error(
            "describe_stacks", service_error_code="Throttling", http_status_code=400,
            service_message="Rate exceeded", expected_params=dict(StackName=team.STACK_NAME))
        team.stub_stack_absent(stubbed_clients)

        assert gather_stack_info(stubbed_clients, team.STACK_NAME)["stack"] == {}

    def test_gather_stack_info_access_denied_raises_cloudformation_error(self, stubbed_clients):
        stubbed_clients.stubber("cloudformation").add_client_error(
            "describe_stacks", service_error_code="AccessDenied", http_status_code=403,
            service_message="not authorized", expected_params=dict(StackName=team.STACK_NAME))

        with pytest.raises(CloudFormationError, match="Failed to describe stack ai-chef-dynamodb"):
            gather_stack_info(stubbed_clients, team.STACK_NAME)

    def test_gather_stack_info_ttl_access_denied_raises_dynamodb_error(self, stubbed_clients):
        team.stub_describe_stack(stubbed_clients)
        team.stub_list_stack_resources(stubbed_clients, team.team_resources()[1:2])
        team.stub_list_exports(stubbed_clients)
        stubber = stubbed_clients.stubber("dynamodb")
        stubber.add_response("describe_table", dict(Table=team.sessions_table()), dict(TableName=team.SESSIONS))
        stubber.add_client_error("describe_time_to_live", service_error_code="AccessDeniedException",
                                 http_status_code=400, expected_params=dict(TableName=team.SESSIONS))

        with pytest.raises(DynamoDBError, match="time to live of table ai-chef-sessions"):
            gather_stack_info(stubbed_clients, team.STACK_NAME)
