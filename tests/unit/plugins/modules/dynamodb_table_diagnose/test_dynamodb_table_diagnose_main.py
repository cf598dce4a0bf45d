"""dynamodb_table_diagnose main(): input checks before any call, the chart, check mode, documented defaults."""
import xml.etree.ElementTree as ET

import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose import diagnosis as d
from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_table_diagnose
from ansible_collections.aichef.dynamodb.tests.unit.utils import diagnose_stubs as s
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_result_runner
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_retrying_clients

END_TIME = "2026-11-25T09:02:30Z"  # the window of diagnose_stubs.WINDOW


@pytest.fixture
def run_module(stubbed_clients, monkeypatch, capsys):
    """run_module(**args) -> the module's JSON result, in the team's region unless args say otherwise;
    AnsibleAWSModule.client returns the stubbed clients."""
    patch_aws_client_with_retrying_clients(monkeypatch, stubbed_clients)
    return module_result_runner(dynamodb_table_diagnose.main, capsys, region=team.REGION)


class TestMain:
    def test_main_writes_the_chart_and_reports(self, run_module, stubbed_clients, tmp_path):
        s.stub_team_diagnosis(stubbed_clients, results={
            (team.SESSIONS, None, None, "WriteThrottleEvents"): [(30, 12.0)]})
        chart = tmp_path / "charts" / "diagnose.svg"

        result = run_module(stack_name=team.STACK_NAME, end_time=END_TIME, chart_path=str(chart))

        assert result["changed"] is False and not result.get("failed")
        assert result["chart"] == str(chart)
        root = ET.parse(str(chart)).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) >= 4
        assert [f["problem"] for f in result["findings"]] == ["throttling"]
        assert result["summary"][1] == "FINDINGS: 1 of 11 rules fired"
        assert result["summary"][-1] == "Chart: %s" % chart

    def test_main_check_mode_same_result_and_thresholds_apply(self, run_module, stubbed_clients):
        s.stub_team_diagnosis(stubbed_clients, results={
            (team.SESSIONS, None, None, "WriteThrottleEvents"): [(30, 3.0)]})

        result = run_module(stack_name=team.STACK_NAME, end_time=END_TIME, thresholds=dict(throttle_events=2),
                            _ansible_check_mode=True)

        assert result["changed"] is False
        assert [(f["threshold_name"], f["threshold"]) for f in result["findings"]] == [("throttle_events", 2)]
        assert "chart" not in result

    @pytest.mark.parametrize("args, message", [
        (dict(), "one of the following is required: stack_name, table_names"),
        (dict(stack_name="1-bad_name"), "Invalid stack name"),
        (dict(table_names=["t"], period=90), "period must be a multiple of 60 seconds"),
        (dict(table_names=["t"], window_hours=0), "window_hours must be positive"),
        (dict(table_names=["t"], end_time="soon"), "end_time: not an ISO 8601"),
        (dict(table_names=["t"], thresholds=dict(throttle=1)), "throttle"),
        (dict(table_names=["t"], region="mars-1"), "Unknown AWS region"),
    ])
    def test_main_bad_input_fails_before_any_call(self, run_module, stubbed_clients, args, message):
        result = run_module(**args)

        assert result["failed"] is True
        assert message in result["msg"]
        assert stubbed_clients.requested == []

    def test_main_aws_error_fails(self, run_module, stubbed_clients):
        stubbed_clients.stubber("dynamodb").add_client_error(
            "describe_table", service_error_code="AccessDeniedException", http_status_code=400,
            expected_params=dict(TableName="t1"))

        result = run_module(table_names=["t1"])

        assert result["failed"] is True
        assert result["msg"].startswith("Failed to describe table t1")


class TestDocumentation:
    def test_documented_threshold_defaults_are_the_code_defaults(self):
        options = yaml.safe_load(dynamodb_table_diagnose.DOCUMENTATION)["options"]

        documented = dict((name, spec["default"]) for name, spec in options["thresholds"]["suboptions"].items())

        assert documented == d.DEFAULT_THRESHOLDS
        assert options["window_hours"]["default"] == d.DEFAULT_WINDOW_HOURS
        assert options["period"]["default"] == d.DEFAULT_PERIOD

    def test_documented_return_keys_cover_the_result(self):
        returned = yaml.safe_load(dynamodb_table_diagnose.RETURN)

        assert set(returned) == {"msg", "findings", "tables", "missing_tables", "window", "metric_data_calls",
                                 "summary", "chart"}
        assert set(returned["findings"]["contains"]) == set(d.finding("t", "p", "r", False, "n", 0, 0, "m"))
