"""dynamodb_stack_verify main(): input checks before any call, check mode, exit values."""
import pytest

from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team


class TestMain:
    def test_main_failed_checks_do_not_fail_the_module(self, run_module, stubbed_clients):
        """The caller decides: counts.fail > 0, but the task itself is ok and changed=false."""
        team.stub_team_stack(stubbed_clients, groups=[team.team_log_group(retention=14)])
        team.stub_drift_detection(stubbed_clients, team.emulator_like_drifts())

        result = run_module()

        assert not result.get("failed"), result
        assert result["changed"] is False
        assert result["counts"]["fail"] == 1
        assert result["failures"] == ["log group /aws/dynamodb/ai-chef-tables: retention: expected 7, actual 14"]
        assert all(set(check) == {"name", "status", "expected", "actual", "reason"} for check in result["checks"])

    def test_main_check_mode_verifies_the_same(self, run_module, stubbed_clients):
        team.stub_team_stack(stubbed_clients)
        team.stub_drift_detection(stubbed_clients, team.emulator_like_drifts())

        result = run_module(_ansible_check_mode=True)

        assert result["changed"] is False
        assert result["counts"]["fail"] == 0 and result["counts"]["unsupported"] == 4

    @pytest.mark.parametrize("args, message", [
        (dict(template_body="Resources: {}\n"), "no Resources section"),
        (dict(template_body="{not json"), "neither valid JSON nor valid YAML"),
        (dict(stack_name="1-bad_name"), "Invalid stack name"),
        (dict(region="mars-1"), "Unknown AWS region"),
    ])
    def test_main_bad_input_fails_before_any_call(self, run_module, stubbed_clients, args, message):
        result = run_module(**args)

        assert result["failed"] is True
        assert message in result["msg"]
        assert stubbed_clients.requested == []

    def test_main_aws_error_fails(self, run_module, stubbed_clients):
        team.stub_describe_stack(stubbed_clients)
        stubbed_clients.stubber("cloudformation").add_client_error(
            "list_stack_resources", service_error_code="AccessDenied", http_status_code=403,
            expected_params=dict(StackName=team.STACK_NAME))

        result = run_module()

        assert result["failed"] is True
        assert result["msg"].startswith("Failed to list the resources of stack ai-chef-dynamodb")
