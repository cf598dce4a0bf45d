"""dynamodb_stack_info main(): arguments, check mode, exit values (AWS answered by the Stubber)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_stack_info
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_result_runner
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_retrying_clients


@pytest.fixture
def run_module(stubbed_clients, monkeypatch, capsys):
    """run_module(**args) -> the module's JSON result, in the team's region unless args say otherwise;
    AnsibleAWSModule.client returns the stubbed clients."""
    patch_aws_client_with_retrying_clients(monkeypatch, stubbed_clients)
    return module_result_runner(dynamodb_stack_info.main, capsys, region=team.REGION)


class TestMain:
    def test_main_absent_stack_exits_ok_with_empty_stack(self, run_module, stubbed_clients):
        team.stub_stack_absent(stubbed_clients)

        result = run_module(stack_name=team.STACK_NAME)

        assert not result.get("failed"), result
        assert result["changed"] is False
        assert result["stack"] == {} and result["tables"] == [] and result["alarms"] == []
        assert result["log_groups"] == []
        assert result["msg"] == "Stack ai-chef-dynamodb does not exist"

    def test_main_team_stack_returns_stack_tables_alarms_log_groups(self, run_module, stubbed_clients):
        team.stub_team_stack(stubbed_clients)

        result = run_module(stack_name=team.STACK_NAME)

        assert result["changed"] is False
        assert result["stack"]["outputs"]["SessionsTableName"] == team.SESSIONS
        assert [table["table_name"] for table in result["tables"]] == [team.RESULTS, team.SESSIONS]
        assert result["alarms"][0]["threshold"] == 5.0
        assert result["log_groups"][0]["log_group_name"] == team.LOG_GROUP
        assert result["msg"] == "Stack ai-chef-dynamodb is CREATE_COMPLETE: 2 table(s), 1 alarm(s), 1 log group(s)"

    def test_main_check_mode_reads_the_same(self, run_module, stubbed_clients):
        """The module only reads: check mode makes the same calls and returns the same result."""
        team.stub_team_stack(stubbed_clients)

        result = run_module(stack_name=team.STACK_NAME, _ansible_check_mode=True)

        assert result["changed"] is False
        assert len(result["tables"]) == 2

    def test_main_aws_error_fails_with_message(self, run_module, stubbed_clients):
        stubbed_clients.stubber("cloudformation").add_client_error(
            "describe_stacks", service_error_code="AccessDenied", http_status_code=403,
            service_message="not authorized", expected_params=dict(StackName=team.STACK_NAME))

        result = run_module(stack_name=team.STACK_NAME)

        assert result["failed"] is True
        assert result["msg"].startswith("Failed to describe stack ai-chef-dynamodb")

    def test_main_unknown_region_fails_before_any_call(self, run_module, stubbed_clients):
        result = run_module(stack_name=team.STACK_NAME, region="us-nowhere-1")

        assert result["failed"] is True
        assert "us-nowhere-1" in result["msg"]
        assert stubbed_clients.requested == []
