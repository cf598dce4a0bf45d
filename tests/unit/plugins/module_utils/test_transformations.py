"""transformations: boto3 answers -> snake_case dicts, with user-keyed data untouched."""
import datetime
import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._common import transformations as t

WHEN = datetime.datetime(2026, 11, 25, 8, 35, 25, tzinfo=datetime.timezone.utc)


class TestNormalizeStack:
    def test_normalize_stack_keeps_outputs_and_parameters_keys(self):
        stack = dict(StackName="s", StackId="id", StackStatus="CREATE_COMPLETE", CreationTime=WHEN,
                     Outputs=[dict(OutputKey="SessionsTableName", OutputValue="ai-chef-sessions",
                                   ExportName="s-SessionsTable")],
                     Parameters=[dict(ParameterKey="TableName", ParameterValue="x"),
                                 dict(ParameterKey="Ssm", ParameterValue="/p", ResolvedValue="resolved")],
                     Tags=[dict(Key="Service", Value="ai-chef")], ResponseMetadata={})

        result = t.normalize_stack(stack, [], [dict(ExportingStackId="id", Name="s-SessionsTable", Value="v")])

        assert result["outputs"] == {"SessionsTableName": "ai-chef-sessions"}
        assert result["parameters"] == {"TableName": "x", "Ssm": "resolved"}
        assert result["tags"] == {"Service": "ai-chef"}
        assert result["creation_time"] == "2026-11-25T08:35:25+00:00"
        assert result["exports"] == [dict(exporting_stack_id="id", name="s-SessionsTable", value="v")]
        assert "response_metadata" not in result


class TestNormalizeTable:
    def test_normalize_table_spells_out_aws_defaults(self):
        table = dict(TableName="t", TableStatus="ACTIVE", SSEDescription=dict(Status="ENABLED", SSEType="KMS"))

        result = t.normalize_table("T", "t", table, {"TimeToLiveStatus": "DISABLED"}, None)

        assert result["billing_mode"] == "PROVISIONED"
        assert result["table_class"] == "STANDARD"
        assert result["sse_description"] == {"status": "ENABLED", "sse_type": "KMS"}
        assert result["time_to_live"] == {"status": "DISABLED", "attribute_name": None}
        assert result["point_in_time_recovery"] == {}
        assert result["exists"] is True and result["logical_resource_id"] == "T"

    def test_normalize_table_point_in_time_recovery_status(self):
        backups = dict(ContinuousBackupsStatus="ENABLED", PointInTimeRecoveryDescription=dict(
            PointInTimeRecoveryStatus="ENABLED", EarliestRestorableDateTime=WHEN, RecoveryPeriodInDays=35))

        result = t.normalize_table("T", "t", dict(TableName="t"), {}, backups)["point_in_time_recovery"]

        assert result == dict(status="ENABLED", continuous_backups_status="ENABLED", recovery_period_in_days=35,
                              earliest_restorable_date_time="2026-11-25T08:35:25+00:00")

    def test_normalize_table_absent(self):
        assert t.normalize_table("T", "t", None, None, None) == dict(logical_resource_id="T", table_name="t",
                                                                     exists=False)


class TestNormalizeMonitoring:
    def test_normalize_log_group_without_retention(self):
        result = t.normalize_log_group("L", "/g", dict(logGroupName="/g", creationTime=1))

        assert result == dict(log_group_name="/g", creation_time=1, retention_in_days=None,
                              logical_resource_id="L", exists=True)

    def test_normalize_alarm_snake_cases_dimensions(self):
        result = t.normalize_alarm("A", "a", dict(AlarmName="a", Dimensions=[dict(Name="TableName", Value="t")],
                                                  StateUpdatedTimestamp=WHEN))

        assert result["dimensions"] == [{"name": "TableName", "value": "t"}]
        assert result["state_updated_timestamp"] == "2026-11-25T08:35:25+00:00"


class TestNormalizeDrift:
    def test_normalize_resource_drift_parses_properties_and_keeps_their_names(self):
        expected = {"TableName": "t", "BillingMode": "PAY_PER_REQUEST"}
        drift = dict(LogicalResourceId="T", StackResourceDriftStatus="IN_SYNC", Timestamp=WHEN,
                     ExpectedProperties=json.dumps(expected), ActualProperties="not json")

        result = t.normalize_resource_drift(drift)

        assert result["expected_properties"] == expected
        assert result["actual_properties"] is None
        assert result["property_differences"] == []
        assert result["stack_resource_drift_status"] == "IN_SYNC"

    def test_normalize_stack_drift_drops_stack_id(self):
        result = t.normalize_stack_drift(dict(StackId="id", DetectionStatus="DETECTION_COMPLETE"), [])

        assert result == dict(detection_status="DETECTION_COMPLETE", resources=[])
