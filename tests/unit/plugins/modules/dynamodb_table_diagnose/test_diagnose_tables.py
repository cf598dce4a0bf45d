"""diagnose(): the reads of a stack's tables and the findings (botocore Stubber): O(tables) calls, one
GetMetricData for all series, read-only."""
import datetime

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose import diagnosis as d
from ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_table_diagnose import diagnose
from ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_table_diagnose import parse_end_time
from ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_table_diagnose import result_message
from ansible_collections.aichef.dynamodb.tests.unit.utils import diagnose_stubs as s
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team

THRESHOLDS = d.merged_thresholds(None)


class TestDiagnose:
    def test_diagnose_healthy_team_stack_finds_nothing(self, stubbed_clients):
        s.stub_team_diagnosis(stubbed_clients)

        result = diagnose(stubbed_clients, team.STACK_NAME, None, s.WINDOW, THRESHOLDS)

        assert result["findings"] == []
        assert [t["table_name"] for t in result["tables"]] == [team.RESULTS, team.SESSIONS]
        assert result["metric_data_calls"] == 1
        assert result["missing_tables"] == []
        assert result["msg"] == "2 tables over 3 h: no finding"
        assert result["window"] == dict(start="2026-11-25T06:05:00+00:00", end="2026-11-25T09:05:00+00:00",
                                        period=300, periods=36, hours=3.0)
        sessions = result["tables"][1]
        assert [a["alarm_name"] for a in sessions["alarms"]] == [team.ALARM]
        assert "never receives data" in sessions["alarms"][0]["note"]
        assert sessions["summary"]["keys"] == ["sessionId (S) HASH"]

    def test_diagnose_throttling_and_gsi_throttling_fire_with_thresholds(self, stubbed_clients):
        s.stub_team_diagnosis(stubbed_clients, results={
            (team.SESSIONS, None, None, "WriteThrottleEvents"): [(30, 12.0)],
            (team.SESSIONS, None, "PutItem", "ThrottledRequests"): [(30, 4.0)],
            (team.RESULTS, s.GSI, None, "WriteThrottleEvents"): [(31, 7.0)],
        })

        result = diagnose(stubbed_clients, team.STACK_NAME, None, s.WINDOW, THRESHOLDS)

        fired = [(f["table"], f["index"], f["problem"], f["threshold_name"], f["observed"]) for f in result["findings"]]
        assert fired == [(team.RESULTS, s.GSI, d.GSI_THROTTLING, "gsi_throttle_events", 7.0),
                         (team.SESSIONS, None, d.THROTTLING, "throttle_events", 12.0)]
        assert result["msg"] == ("2 tables over 3 h: 2 findings fired (GSI throttling on ai-chef-results/"
                                 "sessionId-index, throttling on ai-chef-sessions)")
        assert "PutItem 4" in result["findings"][1]["message"]

    def test_diagnose_makes_read_calls_only_and_per_table_calls(self, stubbed_clients):
        s.stub_team_diagnosis(stubbed_clients)
        attempted = []
        for service in ("cloudformation", "dynamodb", "cloudwatch"):
            stubbed_clients(service).client.meta.events.register(
                "provide-client-params", lambda model, **_kwargs: attempted.append(model.name))

        diagnose(stubbed_clients, team.STACK_NAME, None, s.WINDOW, THRESHOLDS)

        assert all(name.startswith(s.READ_OPERATIONS) for name in attempted), attempted
        assert attempted.count("GetMetricData") == 1
        assert attempted.count("DescribeTable") == 2 and attempted.count("ListMetrics") == 2
        assert len(attempted) == 2 + 2 * 5 + 2

    def test_diagnose_backups_and_pitr_window(self, stubbed_clients):
        created = datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.timezone.utc)
        backup = dict(TableName=team.RESULTS, BackupName="nightly", BackupStatus="AVAILABLE", BackupType="USER",
                      BackupArn="arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results/backup/0171-x",
                      BackupCreationDateTime=created)
        s.stub_team_diagnosis(stubbed_clients, backups=[backup], pitr_enabled=True)

        result = diagnose(stubbed_clients, team.STACK_NAME, None, s.WINDOW, THRESHOLDS)

        backups = result["tables"][0]["backups"]
        assert backups["count"] == 1 and backups["latest"]["backup_name"] == "nightly"
        assert backups["point_in_time_recovery"]["status"] == "ENABLED"
        assert backups["point_in_time_recovery"]["latest_restorable_time"] == team.WHEN.isoformat()

    def test_diagnose_missing_table_by_name_is_reported(self, stubbed_clients):
        team.stub_table_absent(stubbed_clients, "nope")

        result = diagnose(stubbed_clients, None, ["nope"], s.WINDOW, THRESHOLDS)

        assert result["missing_tables"] == ["nope"] and result["tables"] == []
        assert result["metric_data_calls"] == 0
        assert result["msg"] == "0 tables over 3 h: no finding; missing: nope"

    def test_diagnose_absent_stack_fails(self, stubbed_clients):
        team.stub_stack_absent(stubbed_clients)

        with pytest.raises(InputError, match="Stack ai-chef-dynamodb does not exist"):
            diagnose(stubbed_clients, team.STACK_NAME, None, s.WINDOW, THRESHOLDS)


class TestHelpers:
    def test_parse_end_time_forms(self):
        now = s.NOW
        assert parse_end_time(None, now) == now
        assert parse_end_time("2026-11-24T18:30:00Z", now).isoformat() == "2026-11-24T18:30:00+00:00"
        assert parse_end_time("2026-11-24T18:30:00", now).isoformat() == "2026-11-24T18:30:00+00:00"
        assert parse_end_time("2026-11-24T20:30:00+02:00", now).isoformat() == "2026-11-24T18:30:00+00:00"

    def test_parse_end_time_bad_raises(self):
        with pytest.raises(InputError, match="end_time: not an ISO 8601"):
            parse_end_time("yesterday", s.NOW)

    def test_result_message_one_table(self):
        assert result_message([dict(findings=[])], [], s.WINDOW) == "1 table over 3 h: no finding"
