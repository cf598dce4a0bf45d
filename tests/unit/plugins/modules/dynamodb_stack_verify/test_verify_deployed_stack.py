"""verify_deployed_stack: one read of the stack, drift detection, the checks (botocore Stubber)."""
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_stack_verify import verify_deployed_stack
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team


def statuses(result):
    return dict((check["name"], check["status"]) for check in result["checks"] if check["status"] != "pass")


def verify(clients, detect_drift=True):
    return verify_deployed_stack(clients, team.STACK_NAME, parse_template(team.team_template_body()),
                                 detect_drift, wait_timeout=300)


class TestVerifyDeployedStack:
    def test_verify_deployed_stack_on_aws_as_declared_passes(self, stubbed_clients):
        team.stub_team_stack(stubbed_clients, ttl_enabled=True, pitr_enabled=True)
        team.stub_drift_detection(stubbed_clients, team.aws_like_drifts())

        result = verify(stubbed_clients)

        assert statuses(result) == {}
        assert result["counts"]["fail"] == 0 and result["counts"]["unsupported"] == 0
        assert result["failures"] == []
        assert result["drift"]["detection_status"] == "DETECTION_COMPLETE"
        assert result["msg"] == "Stack ai-chef-dynamodb: %d passed, 0 failed, 0 unsupported (not counted as " \
                                "passed)" % result["counts"]["pass"]

    def test_verify_deployed_stack_ttl_turned_off_on_aws_fails(self, stubbed_clients):
        """AWS answers DISABLED and lists TTL in ExpectedProperties: the TTL check fails."""
        team.stub_team_stack(stubbed_clients, ttl_enabled=False, pitr_enabled=True)
        team.stub_drift_detection(stubbed_clients, team.aws_like_drifts())

        result = verify(stubbed_clients)

        assert statuses(result) == {"table ai-chef-sessions: time to live": "fail"}
        assert result["failures"] == ["table ai-chef-sessions: time to live: expected ENABLED (attribute TTL), "
                                      "actual DISABLED"]

    def test_verify_deployed_stack_emulator_gap_is_unsupported(self, stubbed_clients):
        team.stub_team_stack(stubbed_clients)
        team.stub_drift_detection(stubbed_clients, team.emulator_like_drifts())

        result = verify(stubbed_clients)

        assert statuses(result) == {
            "table ai-chef-sessions: time to live": "unsupported",
            "table ai-chef-sessions: point-in-time recovery": "unsupported",
            "table ai-chef-results: point-in-time recovery": "unsupported",
            "resource SessionsTableErrorAlarm: drift": "unsupported",
        }
        assert result["counts"]["fail"] == 0
        assert result["summary"][-1].endswith("0 failed, 4 unsupported (not counted as passed)")

    def test_verify_deployed_stack_without_drift_makes_no_drift_call(self, stubbed_clients):
        team.stub_team_stack(stubbed_clients, ttl_enabled=True, pitr_enabled=True)

        result = verify(stubbed_clients, detect_drift=False)

        assert "drift" not in result
        assert statuses(result) == {}

    def test_verify_deployed_stack_absent_stack_fails_without_drift(self, stubbed_clients):
        team.stub_stack_absent(stubbed_clients)

        result = verify(stubbed_clients)

        assert result["counts"] == {"pass": 0, "fail": 1, "unsupported": 0}
        assert result["failures"][0].startswith("stack ai-chef-dynamodb: status: expected one of CREATE_COMPLETE")
        assert "drift" not in result
