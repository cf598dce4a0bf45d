"""drift: start a detection, wait for it within a bound, read the results (botocore Stubber, fake clock)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import run_drift_detection
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_stack import \
    StubbedClients


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clients():
    stubbed = StubbedClients()
    try:
        yield stubbed
        stubbed.assert_no_pending_responses()
    finally:
        stubbed.close()


@pytest.fixture
def clock():
    return FakeClock()


def run(clients, clock, status="CREATE_COMPLETE", timeout=300):
    return run_drift_detection(clients("cloudformation"), team.STACK_NAME, status, timeout, sleep=clock.sleep,
                               clock=clock)


class TestRunDriftDetection:
    def test_run_drift_detection_complete_returns_resources(self, clients, clock):
        team.stub_drift_detection(clients, team.emulator_like_drifts())

        result = run(clients, clock)

        assert result["detection_status"] == "DETECTION_COMPLETE"
        assert result["stack_drift_status"] == "IN_SYNC"
        assert [r["logical_resource_id"] for r in result["resources"]] == [
            "AiChefResultsTable", "AiChefSessionsTable", "DynamoDBLogGroup"]
        assert result["resources"][2]["expected_properties"] == {"LogGroupName": team.LOG_GROUP,
                                                                 "RetentionInDays": 7}
        assert clock.sleeps == []

    def test_run_drift_detection_polls_with_backoff_until_complete(self, clients, clock):
        team.stub_drift_detection(clients, team.emulator_like_drifts(), statuses=(
            "DETECTION_IN_PROGRESS", "DETECTION_IN_PROGRESS", "DETECTION_COMPLETE"))

        assert run(clients, clock)["detection_status"] == "DETECTION_COMPLETE"
        assert clock.sleeps == [1.0, 1.5]

    def test_run_drift_detection_timeout_stops_without_reading_drifts(self, clients, clock):
        team.stub_drift_detection(clients, [], statuses=("DETECTION_IN_PROGRESS",) * 3)

        result = run(clients, clock, timeout=2)

        assert result["detection_status"] == "TIMED_OUT"
        assert "still running after 2 s" in result["detection_status_reason"]
        assert result["resources"] == []
        assert sum(clock.sleeps) == 2

    def test_run_drift_detection_failed_detection_still_reads_drifts(self, clients, clock):
        team.stub_drift_detection(clients, team.emulator_like_drifts(), statuses=("DETECTION_FAILED",))

        result = run(clients, clock)

        assert result["detection_status"] == "DETECTION_FAILED"
        assert len(result["resources"]) == 3

    @pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "UPDATE_IN_PROGRESS", "IMPORT_COMPLETE"])
    def test_run_drift_detection_undetectable_status_is_not_run(self, clients, clock, status):
        result = run(clients, clock, status=status)

        assert result["detection_status"] == "NOT_RUN"
        assert status in result["detection_status_reason"]
        assert clients.requested == ["cloudformation"]  # the client, but no call

    def test_run_drift_detection_not_implemented_is_not_run(self, clients, clock):
        clients.stubber("cloudformation").add_client_error(
            "detect_stack_drift", service_error_code="NotImplemented", http_status_code=501,
            service_message="DetectStackDrift is not implemented", expected_params=dict(StackName=team.STACK_NAME))

        result = run(clients, clock)

        assert result["detection_status"] == "NOT_RUN"
        assert "does not implement DetectStackDrift" in result["detection_status_reason"]

    def test_run_drift_detection_access_denied_raises(self, clients, clock):
        clients.stubber("cloudformation").add_client_error(
            "detect_stack_drift", service_error_code="AccessDenied", http_status_code=403,
            expected_params=dict(StackName=team.STACK_NAME))

        with pytest.raises(CloudFormationError, match="Failed to start drift detection on stack ai-chef-dynamodb"):
            run(clients, clock)

    def test_run_drift_detection_reads_every_page_of_drifts(self, clients, clock):
        drifts = team.emulator_like_drifts()
        stubber = clients.stubber("cloudformation")
        stubber.add_response("detect_stack_drift", dict(StackDriftDetectionId="d-1"),
                             dict(StackName=team.STACK_NAME))
        stubber.add_response("describe_stack_drift_detection_status", team.detection_status(),
                             dict(StackDriftDetectionId="d-1"))
        stubber.add_response("describe_stack_resource_drifts",
                             dict(StackResourceDrifts=drifts[:1], NextToken="t2"), dict(StackName=team.STACK_NAME))
        stubber.add_response("describe_stack_resource_drifts", dict(StackResourceDrifts=drifts[1:]),
                             dict(StackName=team.STACK_NAME, NextToken="t2"))

        assert len(run(clients, clock)["resources"]) == 3
