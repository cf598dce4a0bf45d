"""verification: template vs live info -> checks. Pure functions, no stubs.

The live info is built from AWS-shaped answers through the transformations the info module uses, so these
tests also pin the keys that verification reads.
"""
import copy

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_alarm
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_log_group
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_stack_drift
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.check_text import failure_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.check_text import summary_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import ABSENT
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import NOT_IN_STACK
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import count_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.cloudwatch import NEVER_EXPIRE
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import not_run
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.stack_checks import HEALTHY_STACK_STATUSES
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.verification import verify_stack
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team

SESSIONS_TTL = "table ai-chef-sessions: time to live"
SESSIONS_PITR = "table ai-chef-sessions: point-in-time recovery"
RESULTS_PITR = "table ai-chef-results: point-in-time recovery"
ALARM_LABEL = "alarm %s" % team.ALARM
LOG_GROUP_LABEL = "log group %s" % team.LOG_GROUP


def team_template():
    return parse_template(team.team_template_body())


def team_info(ttl=False, pitr=False, stack_status="CREATE_COMPLETE"):
    """The deployed team stack as gather_stack_info returns it; TTL and PITR live status as given."""
    return dict(
        stack=normalize_stack(team.team_stack(stack_status), team.team_resources(), team.team_exports()),
        tables=[
            normalize_table("AiChefResultsTable", team.RESULTS, team.results_table(), team.time_to_live(False),
                            team.continuous_backups(pitr)),
            normalize_table("AiChefSessionsTable", team.SESSIONS, team.sessions_table(), team.time_to_live(ttl),
                            team.continuous_backups(pitr)),
        ],
        alarms=[normalize_alarm("SessionsTableErrorAlarm", team.ALARM, team.team_alarm())],
        log_groups=[normalize_log_group("DynamoDBLogGroup", team.LOG_GROUP, team.team_log_group())],
    )


def emulator_drift():
    return normalize_stack_drift(team.detection_status(), team.emulator_like_drifts())


def aws_drift():
    return normalize_stack_drift(team.detection_status(), team.aws_like_drifts())


def table(info, logical_id):
    return [t for t in info["tables"] if t["logical_resource_id"] == logical_id][0]


def drift_of(drift, logical_id):
    return [d for d in drift["resources"] if d["logical_resource_id"] == logical_id][0]


def by_name(checks):
    names = [check["name"] for check in checks]
    assert len(names) == len(set(names)), "check names must be unique: %s" % names
    return dict((check["name"], check) for check in checks)


def not_passed(checks):
    return dict((check["name"], check["status"]) for check in checks if check["status"] != PASS)


def verify(template=None, info=None, drift=None):
    return by_name(verify_stack(team.STACK_NAME, template or team_template(), info or team_info(), drift))


class TestVerifyStackTeamTemplate:
    def test_verify_stack_everything_as_declared_passes(self):
        """AWS: TTL and PITR on, every resource IN_SYNC."""
        checks = verify(info=team_info(ttl=True, pitr=True), drift=aws_drift())

        assert not_passed(checks.values()) == {}
        assert checks[SESSIONS_TTL]["expected"] == "ENABLED (attribute TTL)"
        assert checks[SESSIONS_PITR]["actual"] == "ENABLED"
        assert checks["stack ai-chef-dynamodb: status"]["actual"] == "CREATE_COMPLETE"
        assert checks[ALARM_LABEL + ": dimension TableName"]["expected"] == team.SESSIONS
        assert checks["export ai-chef-dynamodb-SessionsTableArn: listed"]["expected"] == team.table_arn(team.SESSIONS)
        assert checks["resource SessionsTableErrorAlarm: drift"]["status"] == PASS

    def test_verify_stack_covers_every_declared_fact(self):
        checks = verify(info=team_info(ttl=True, pitr=True), drift=aws_drift())

        for name in ["table ai-chef-sessions: exists", "table ai-chef-sessions: status",
                     "table ai-chef-sessions: key schema", "table ai-chef-sessions: attribute types",
                     "table ai-chef-sessions: billing mode", SESSIONS_TTL, SESSIONS_PITR, RESULTS_PITR,
                     "table ai-chef-results: global secondary index names",
                     "table ai-chef-results: global secondary index sessionId-index",
                     ALARM_LABEL + ": exists", ALARM_LABEL + ": metric", ALARM_LABEL + ": threshold",
                     ALARM_LABEL + ": evaluation", LOG_GROUP_LABEL + ": exists", LOG_GROUP_LABEL + ": retention",
                     "output SessionsTableName: value", "export ai-chef-dynamodb-ResultsTable: listed"]:
            assert name in checks, name
        assert "table ai-chef-results: time to live" not in checks  # not declared: not checked

    def test_verify_stack_emulator_gap_reports_ttl_and_pitr_unsupported(self):
        """The endpoint's drift ExpectedProperties leave TTL and PITR out: unsupported, never pass, never fail."""
        checks = verify(drift=emulator_drift())

        assert not_passed(checks.values()) == {
            SESSIONS_TTL: UNSUPPORTED, SESSIONS_PITR: UNSUPPORTED, RESULTS_PITR: UNSUPPORTED,
            "resource SessionsTableErrorAlarm: drift": UNSUPPORTED}
        assert checks[SESSIONS_TTL]["expected"] == "ENABLED (attribute TTL)"
        assert checks[SESSIONS_TTL]["actual"] == "DISABLED"
        assert "TimeToLiveSpecification" in checks[SESSIONS_TTL]["reason"]
        assert "CREATE_COMPLETE" in checks[SESSIONS_TTL]["reason"]

    def test_verify_stack_aws_with_ttl_turned_off_fails(self):
        """Same live answers as the emulator, but AWS lists TTL in ExpectedProperties: someone turned it off."""
        checks = verify(drift=aws_drift())

        assert not_passed(checks.values()) == {SESSIONS_TTL: FAIL, SESSIONS_PITR: FAIL, RESULTS_PITR: FAIL}

    def test_verify_stack_without_drift_detection_mismatch_fails(self):
        """No drift evidence, no unsupported: DISABLED against a declared ENABLED is a failure."""
        checks = verify(drift=None)

        assert not_passed(checks.values()) == {SESSIONS_TTL: FAIL, SESSIONS_PITR: FAIL, RESULTS_PITR: FAIL}
        assert not [name for name in checks if "drift" in name]

    def test_verify_stack_drift_not_run_fails_mismatch_and_reports_detection_unsupported(self):
        checks = verify(drift=not_run("the endpoint does not implement DetectStackDrift"))

        assert checks[SESSIONS_TTL]["status"] == FAIL
        detection = checks["stack ai-chef-dynamodb: drift detection"]
        assert detection["status"] == UNSUPPORTED
        assert detection["reason"] == "the endpoint does not implement DetectStackDrift"

    def test_verify_stack_drift_timed_out_fails(self):
        drift = normalize_stack_drift(team.detection_status("DETECTION_IN_PROGRESS"), [])
        drift.update(detection_status="TIMED_OUT", detection_status_reason="still running after 300 s")

        checks = verify(drift=drift)

        assert checks["stack ai-chef-dynamodb: drift detection"]["status"] == FAIL
        assert checks[SESSIONS_TTL]["status"] == FAIL

    def test_verify_stack_table_not_applied_by_cloudformation_fails(self):
        """Rule condition 2: a table resource in UPDATE_FAILED was not (fully) applied: no excuse."""
        info = team_info()
        for resource in info["stack"]["resources"]:
            if resource["logical_resource_id"] == "AiChefSessionsTable":
                resource["resource_status"] = "UPDATE_FAILED"

        checks = verify(info=info, drift=emulator_drift())

        assert checks[SESSIONS_TTL]["status"] == FAIL
        assert checks[RESULTS_PITR]["status"] == UNSUPPORTED

    @pytest.mark.parametrize("drift_status", ["NOT_CHECKED", "UNKNOWN", "DELETED"])
    def test_verify_stack_table_drift_not_compared_fails(self, drift_status):
        """Rule condition 3: without an IN_SYNC/MODIFIED drift result there is no ExpectedProperties evidence."""
        drift = emulator_drift()
        drift_of(drift, "AiChefSessionsTable")["stack_resource_drift_status"] = drift_status

        assert verify(drift=drift)[SESSIONS_TTL]["status"] == FAIL

    @pytest.mark.parametrize("expected_properties", [None, {}])
    def test_verify_stack_empty_expected_properties_fails(self, expected_properties):
        """Rule condition 3: an endpoint that lists no properties at all proves nothing about TTL."""
        drift = emulator_drift()
        drift_of(drift, "AiChefSessionsTable")["expected_properties"] = expected_properties

        assert verify(drift=drift)[SESSIONS_TTL]["status"] == FAIL

    def test_verify_stack_live_value_not_the_default_fails(self):
        """Rule condition 1: TTL on another attribute was set by someone, whatever the endpoint tracks."""
        info = team_info()
        table(info, "AiChefSessionsTable")["time_to_live"] = {"status": "ENABLED", "attribute_name": "expiresAt"}

        check = verify(info=info, drift=emulator_drift())[SESSIONS_TTL]

        assert check["status"] == FAIL
        assert check["actual"] == "ENABLED (attribute expiresAt)"

    def test_verify_stack_ttl_still_enabling_fails(self):
        info = team_info()
        table(info, "AiChefSessionsTable")["time_to_live"] = {"status": "ENABLING", "attribute_name": "TTL"}

        assert verify(info=info, drift=emulator_drift())[SESSIONS_TTL]["actual"] == "ENABLING (attribute TTL)"

    def test_verify_stack_ttl_enabled_by_hand_on_the_emulator_passes(self):
        checks = verify(info=team_info(ttl=True, pitr=True), drift=emulator_drift())

        assert checks[SESSIONS_TTL]["status"] == PASS
        assert checks[SESSIONS_PITR]["status"] == PASS


class TestVerifyStackStack:
    def test_verify_stack_absent_stack_is_one_failure(self):
        checks = verify_stack(team.STACK_NAME, team_template(), dict(stack={}, tables=[], alarms=[],
                                                                     log_groups=[]))

        assert checks == [make_check("stack ai-chef-dynamodb: status", FAIL,
                                     "one of " + ", ".join(HEALTHY_STACK_STATUSES), "ABSENT",
                                     "the stack does not exist")]

    @pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_IN_PROGRESS"])
    def test_verify_stack_unhealthy_status_fails(self, status):
        check = verify(info=team_info(stack_status=status))["stack ai-chef-dynamodb: status"]

        assert (check["status"], check["actual"]) == (FAIL, status)

    @pytest.mark.parametrize("status", HEALTHY_STACK_STATUSES)
    def test_verify_stack_healthy_status_passes(self, status):
        assert verify(info=team_info(stack_status=status))["stack ai-chef-dynamodb: status"]["status"] == PASS


class TestVerifyStackTables:
    def test_verify_stack_table_deleted_by_hand_fails_once(self):
        info = team_info()
        info["tables"][1] = dict(logical_resource_id="AiChefSessionsTable", table_name=team.SESSIONS, exists=False)

        checks = verify(info=info)

        assert checks["table ai-chef-sessions: exists"]["actual"] == ABSENT
        assert not [name for name in checks if name.startswith("table ai-chef-sessions:") and "exists" not in name]

    def test_verify_stack_table_missing_from_stack_fails(self):
        info = team_info()
        info["stack"]["resources"] = [r for r in info["stack"]["resources"]
                                      if r["logical_resource_id"] != "AiChefResultsTable"]
        info["tables"] = info["tables"][1:]

        check = verify(info=info)["table ai-chef-results: exists"]

        assert (check["status"], check["actual"]) == (FAIL, NOT_IN_STACK)

    def test_verify_stack_table_not_active_fails(self):
        info = team_info()
        table(info, "AiChefResultsTable")["table_status"] = "UPDATING"

        assert verify(info=info)["table ai-chef-results: status"]["status"] == FAIL

    def test_verify_stack_key_schema_and_attribute_types_compared(self):
        info = team_info()
        results = table(info, "AiChefResultsTable")
        results["key_schema"] = [{"attribute_name": "createdAt", "key_type": "RANGE"},
                                 {"attribute_name": "resultId", "key_type": "HASH"}]
        results["attribute_definitions"][0]["attribute_type"] = "N"

        checks = verify(info=info)

        assert checks["table ai-chef-results: key schema"]["expected"] == ["resultId HASH"]
        assert checks["table ai-chef-results: key schema"]["actual"] == ["resultId HASH", "createdAt RANGE"]
        assert checks["table ai-chef-results: attribute types"]["status"] == FAIL
        assert checks["table ai-chef-results: attribute types"]["actual"] == {"resultId": "N", "sessionId": "S"}

    def test_verify_stack_missing_index_fails(self):
        info = team_info()
        del table(info, "AiChefResultsTable")["global_secondary_indexes"]

        checks = verify(info=info)

        assert checks["table ai-chef-results: global secondary index names"]["actual"] == []
        assert checks["table ai-chef-results: global secondary index sessionId-index"]["actual"] == ABSENT

    def test_verify_stack_undeclared_index_fails(self):
        info = team_info()
        extra = copy.deepcopy(table(info, "AiChefResultsTable")["global_secondary_indexes"][0])
        extra["index_name"] = "byDate-index"
        table(info, "AiChefResultsTable")["global_secondary_indexes"].append(extra)

        check = verify(info=info)["table ai-chef-results: global secondary index names"]

        assert (check["status"], check["actual"]) == (FAIL, ["byDate-index", "sessionId-index"])

    def test_verify_stack_index_projection_compared(self):
        info = team_info()
        index = table(info, "AiChefResultsTable")["global_secondary_indexes"][0]
        index["projection"] = {"projection_type": "INCLUDE", "non_key_attributes": ["score", "createdAt"]}

        check = verify(info=info)["table ai-chef-results: global secondary index sessionId-index"]

        assert check["status"] == FAIL
        assert check["expected"] == "keys sessionId HASH; projection ALL"
        assert check["actual"] == "keys sessionId HASH; projection INCLUDE (createdAt, score)"

    def test_verify_stack_billing_mode_changed_by_hand_fails_even_with_emulator_drift(self):
        """BillingMode is in the endpoint's ExpectedProperties: a PROVISIONED table is a real difference."""
        info = team_info()
        table(info, "AiChefResultsTable")["billing_mode"] = "PROVISIONED"

        check = verify(info=info, drift=emulator_drift())["table ai-chef-results: billing mode"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, "PAY_PER_REQUEST", "PROVISIONED")

    def test_verify_stack_name_resolved_from_a_parameter(self):
        template = team_template()
        template["Parameters"] = {"SessionsName": {"Type": "String"}}
        template["Resources"]["AiChefSessionsTable"]["Properties"]["TableName"] = {"Ref": "SessionsName"}
        info = team_info()
        info["stack"]["parameters"] = {"SessionsName": "ai-chef-sessions-v2"}

        check = verify(template=template, info=info)["table ai-chef-sessions: name"]

        assert (check["status"], check["expected"]) == (FAIL, "ai-chef-sessions-v2")


class TestTablePropertyChecks:
    """Properties the team template does not declare yet (DESIGN.md section 4 will): same rule, own defaults."""

    def template_with(self, **properties):
        template = team_template()
        template["Resources"]["AiChefSessionsTable"]["Properties"].update(properties)
        return template

    def drift_listing(self, **properties):
        drift = emulator_drift()
        drift_of(drift, "AiChefSessionsTable")["expected_properties"].update(properties)
        return drift

    def test_encryption_declared_but_absent_fails_on_aws(self):
        template = self.template_with(SSESpecification={"SSEEnabled": True})
        drift = self.drift_listing(SSESpecification={"SSEEnabled": True})

        check = verify(template=template, drift=drift)["table ai-chef-sessions: encryption"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, "ENABLED", "DISABLED")

    def test_encryption_ignored_by_the_endpoint_is_unsupported(self):
        template = self.template_with(SSESpecification={"SSEEnabled": "true"})

        check = verify(template=template, drift=emulator_drift())["table ai-chef-sessions: encryption"]

        assert check["status"] == UNSUPPORTED

    def test_encryption_enabled_passes(self):
        info = team_info()
        table(info, "AiChefSessionsTable")["sse_description"] = {"status": "ENABLED", "sse_type": "KMS"}

        checks = verify(template=self.template_with(SSESpecification={"SSEEnabled": True}), info=info)

        assert checks["table ai-chef-sessions: encryption"]["status"] == PASS

    def test_deletion_protection_tracked_by_the_endpoint_fails(self):
        template = self.template_with(DeletionProtectionEnabled=True)
        drift = self.drift_listing(DeletionProtectionEnabled=True)

        check = verify(template=template, drift=drift)["table ai-chef-sessions: deletion protection"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, "ENABLED", "DISABLED")

    def test_table_class_ignored_by_the_endpoint_is_unsupported(self):
        template = self.template_with(TableClass="STANDARD_INFREQUENT_ACCESS")

        check = verify(template=template, drift=emulator_drift())["table ai-chef-sessions: table class"]

        assert (check["status"], check["actual"]) == (UNSUPPORTED, "STANDARD")

    def test_provisioned_throughput_compared(self):
        template = self.template_with(BillingMode="PROVISIONED",
                                      ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": "5"})
        info = team_info()
        sessions = table(info, "AiChefSessionsTable")
        sessions["billing_mode"] = "PROVISIONED"
        sessions["provisioned_throughput"] = {"read_capacity_units": 5, "write_capacity_units": 5}

        checks = verify(template=template, info=info)

        assert checks["table ai-chef-sessions: provisioned throughput"]["status"] == PASS
        assert checks["table ai-chef-sessions: billing mode"]["status"] == PASS

    def test_pitr_recovery_period_compared(self):
        template = self.template_with(PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True,
                                                                        "RecoveryPeriodInDays": 7})

        check = verify(template=template, info=team_info(pitr=True))[SESSIONS_PITR]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, "ENABLED (7 days)",
                                                                         "ENABLED (35 days)")

    def test_ttl_declared_disabled_and_enabled_by_hand_fails(self):
        template = self.template_with(TimeToLiveSpecification={"AttributeName": "TTL", "Enabled": False})

        check = verify(template=template, info=team_info(ttl=True), drift=emulator_drift())[SESSIONS_TTL]

        assert (check["status"], check["expected"]) == (FAIL, "DISABLED")

    def test_unresolvable_declared_value_is_unsupported(self):
        template = self.template_with(BillingMode={"Fn::If": ["OnDemand", "PAY_PER_REQUEST", "PROVISIONED"]})

        check = verify(template=template)["table ai-chef-sessions: billing mode"]

        assert check["status"] == UNSUPPORTED
        assert "Fn::If" in check["reason"]

    def test_malformed_declared_value_is_unsupported(self):
        template = self.template_with(TimeToLiveSpecification={"AttributeName": "TTL", "Enabled": "yes"})

        assert verify(template=template)[SESSIONS_TTL]["status"] == UNSUPPORTED


class TestVerifyStackAlarms:
    def replace_alarm(self, info, **overrides):
        info["alarms"] = [normalize_alarm("SessionsTableErrorAlarm", team.ALARM, team.team_alarm(**overrides))]
        return info

    def test_verify_stack_alarm_deleted_by_hand_fails(self):
        info = team_info()
        info["alarms"] = [dict(logical_resource_id="SessionsTableErrorAlarm", alarm_name=team.ALARM, exists=False)]

        checks = verify(info=info)

        assert checks[ALARM_LABEL + ": exists"]["actual"] == ABSENT
        assert not [name for name in checks if name.startswith(ALARM_LABEL) and not name.endswith("exists")]

    def test_verify_stack_alarm_threshold_changed_fails(self):
        check = verify(info=self.replace_alarm(team_info(), Threshold=10.0))[ALARM_LABEL + ": threshold"]

        assert (check["status"], check["expected"], check["actual"]) == (
            FAIL, "GreaterThanThreshold 5", "GreaterThanThreshold 10")

    def test_verify_stack_alarm_metric_changed_fails(self):
        check = verify(info=self.replace_alarm(team_info(), MetricName="SystemErrors"))[ALARM_LABEL + ": metric"]

        assert check["actual"] == "AWS/DynamoDB SystemErrors"

    def test_verify_stack_alarm_watching_another_table_fails(self):
        info = self.replace_alarm(team_info(), Dimensions=[dict(Name="TableName", Value=team.RESULTS)])

        check = verify(info=info)[ALARM_LABEL + ": dimension TableName"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, team.SESSIONS, team.RESULTS)

    def test_verify_stack_alarm_extra_dimension_fails(self):
        info = self.replace_alarm(team_info(), Dimensions=[dict(Name="TableName", Value=team.SESSIONS),
                                                           dict(Name="Operation", Value="GetItem")])

        check = verify(info=info)[ALARM_LABEL + ": dimension Operation"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, ABSENT, "GetItem")

    def test_verify_stack_alarm_evaluation_compared(self):
        info = self.replace_alarm(team_info(), Period=60, TreatMissingData="breaching")

        check = verify(info=info)[ALARM_LABEL + ": evaluation"]

        assert check["expected"] == {"Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1,
                                     "TreatMissingData": "notBreaching"}
        assert check["actual"]["Period"] == 60 and check["actual"]["TreatMissingData"] == "breaching"

    def test_verify_stack_metric_math_alarm_is_unsupported(self):
        template = team_template()
        properties = template["Resources"]["SessionsTableErrorAlarm"]["Properties"]
        for key in ("MetricName", "Namespace", "Statistic", "Period", "Dimensions"):
            del properties[key]
        properties["Metrics"] = [{"Id": "m1", "Expression": "SUM(METRICS())"}]

        checks = verify(template=template)

        assert checks[ALARM_LABEL + ": metric"]["status"] == UNSUPPORTED
        assert ALARM_LABEL + ": threshold" not in checks


class TestVerifyStackLogGroups:
    def set_retention(self, info, days):
        info["log_groups"] = [normalize_log_group("DynamoDBLogGroup", team.LOG_GROUP, team.team_log_group(days))]
        return info

    def test_verify_stack_retention_changed_by_hand_fails(self):
        checks = verify(info=self.set_retention(team_info(), 14), drift=emulator_drift())
        check = checks[LOG_GROUP_LABEL + ": retention"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, 7, 14)

    def test_verify_stack_retention_removed_fails_when_the_endpoint_tracks_it(self):
        check = verify(info=self.set_retention(team_info(), None), drift=emulator_drift())[
            LOG_GROUP_LABEL + ": retention"]

        assert (check["status"], check["actual"]) == (FAIL, NEVER_EXPIRE)

    def test_verify_stack_retention_ignored_by_the_endpoint_is_unsupported(self):
        drift = emulator_drift()
        del drift_of(drift, "DynamoDBLogGroup")["expected_properties"]["RetentionInDays"]

        check = verify(info=self.set_retention(team_info(), None), drift=drift)[LOG_GROUP_LABEL + ": retention"]

        assert check["status"] == UNSUPPORTED

    def test_verify_stack_log_group_deleted_by_hand_fails(self):
        info = team_info()
        info["log_groups"] = [dict(logical_resource_id="DynamoDBLogGroup", log_group_name=team.LOG_GROUP,
                                   exists=False)]

        assert verify(info=info)[LOG_GROUP_LABEL + ": exists"]["status"] == FAIL


class TestVerifyStackOutputs:
    def test_verify_stack_output_missing_fails(self):
        info = team_info()
        del info["stack"]["outputs"]["ResultsTableArn"]

        check = verify(info=info)["output ResultsTableArn: value"]

        assert (check["status"], check["actual"]) == (FAIL, ABSENT)

    def test_verify_stack_export_not_listed_fails(self):
        info = team_info()
        info["stack"]["exports"] = info["stack"]["exports"][1:]

        check = verify(info=info)["export ai-chef-dynamodb-SessionsTable: listed"]

        assert check["status"] == FAIL
        assert check["actual"] == "not listed by ListExports for this stack"

    def test_verify_stack_export_with_another_value_fails(self):
        info = team_info()
        info["stack"]["exports"][1]["value"] = "ai-chef-results-old"

        check = verify(info=info)["export ai-chef-dynamodb-ResultsTable: listed"]

        assert (check["status"], check["expected"], check["actual"]) == (FAIL, team.RESULTS, "ai-chef-results-old")

    def test_verify_stack_unresolvable_output_value_checks_presence(self):
        template = team_template()
        template["Outputs"]["ResultsTableName"]["Value"] = {"Fn::ImportValue": "shared-name"}

        check = verify(template=template)["output ResultsTableName: value"]

        assert check["status"] == PASS
        assert "Fn::ImportValue" in check["reason"]
        assert verify(template=template)["export ai-chef-dynamodb-ResultsTable: listed"]["status"] == PASS

    def test_verify_stack_conditional_output_not_listed_is_unsupported(self):
        template = team_template()
        template["Outputs"]["Extra"] = {"Condition": "IsProd", "Value": "x"}

        assert verify(template=template)["output Extra: value"]["status"] == UNSUPPORTED


class TestVerifyStackDrift:
    def test_verify_stack_modified_resource_names_expected_and_actual(self):
        drift = normalize_stack_drift(team.detection_status(drifted=1), [team.resource_drift(
            "DynamoDBLogGroup", team.LOG_GROUP, "AWS::Logs::LogGroup", status="MODIFIED",
            expected=dict(LogGroupName=team.LOG_GROUP, RetentionInDays=7),
            actual=dict(LogGroupName=team.LOG_GROUP, RetentionInDays=14),
            differences=[dict(PropertyPath="/RetentionInDays", ExpectedValue="7", ActualValue="14",
                              DifferenceType="NOT_EQUAL")])])

        check = verify(drift=drift)["resource DynamoDBLogGroup: drift"]

        assert check["status"] == FAIL
        assert (check["expected"], check["actual"]) == ({"/RetentionInDays": "7"}, {"/RetentionInDays": "14"})

    def test_verify_stack_removed_property_reads_absent(self):
        drift = normalize_stack_drift(team.detection_status(drifted=1), [team.resource_drift(
            "AiChefSessionsTable", team.SESSIONS, "AWS::DynamoDB::Table", status="MODIFIED", expected={"A": 1},
            differences=[dict(PropertyPath="/TimeToLiveSpecification", ExpectedValue='{"Enabled":true}',
                              ActualValue="null", DifferenceType="REMOVE")])])

        check = verify(drift=drift)["resource AiChefSessionsTable: drift"]

        assert check["actual"] == {"/TimeToLiveSpecification": ABSENT}

    def test_verify_stack_deleted_resource_fails(self):
        drift = normalize_stack_drift(team.detection_status(drifted=1), [team.resource_drift(
            "SessionsTableErrorAlarm", team.ALARM, "AWS::CloudWatch::Alarm", status="DELETED")])

        check = verify(drift=drift)["resource SessionsTableErrorAlarm: drift"]

        assert (check["status"], check["actual"]) == (FAIL, "DELETED")

    def test_verify_stack_not_checked_resource_is_unsupported(self):
        drift = normalize_stack_drift(team.detection_status(), [team.resource_drift(
            "SessionsTableErrorAlarm", team.ALARM, "AWS::CloudWatch::Alarm", status="NOT_CHECKED")])

        assert verify(drift=drift)["resource SessionsTableErrorAlarm: drift"]["status"] == UNSUPPORTED

    def test_verify_stack_detection_failed_keeps_resource_results(self):
        drift = normalize_stack_drift(team.detection_status("DETECTION_FAILED"), team.emulator_like_drifts())
        drift["detection_status_reason"] = "Failed to detect drift on resource [SessionsTableErrorAlarm]"

        checks = verify(drift=drift)

        assert checks["stack ai-chef-dynamodb: drift detection"]["status"] == UNSUPPORTED
        assert checks["resource DynamoDBLogGroup: drift"]["status"] == PASS
        assert checks[SESSIONS_TTL]["status"] == UNSUPPORTED


class TestVerifyStackOtherResources:
    def test_verify_stack_other_resource_deployed_passes(self):
        template = team_template()
        template["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}
        info = team_info()
        info["stack"]["resources"].append(dict(logical_resource_id="Topic", physical_resource_id="arn:topic",
                                               resource_type="AWS::SNS::Topic", resource_status="UPDATE_COMPLETE"))

        assert verify(template=template, info=info)["resource Topic (AWS::SNS::Topic): deployed"]["status"] == PASS

    def test_verify_stack_other_resource_missing_fails(self):
        template = team_template()
        template["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}

        check = verify(template=template)["resource Topic (AWS::SNS::Topic): deployed"]

        assert (check["status"], check["actual"]) == (FAIL, NOT_IN_STACK)

    def test_verify_stack_conditional_resource_not_deployed_is_unsupported(self):
        template = team_template()
        template["Resources"]["Extra"] = {"Type": "AWS::DynamoDB::Table", "Condition": "IsProd", "Properties": {}}

        check = verify(template=template)["resource Extra: deployed"]

        assert check["status"] == UNSUPPORTED
        assert "Conditions" in check["reason"]


class TestReporting:
    CHECKS = [
        make_check("stack s: status", PASS, "one of CREATE_COMPLETE", "CREATE_COMPLETE"),
        make_check("log group /g: retention", FAIL, 7, 14),
        make_check("table t: time to live", UNSUPPORTED, "ENABLED (attribute TTL)", "DISABLED",
                   "the endpoint ignores TimeToLiveSpecification"),
        make_check("resource R: drift", FAIL, {"/RetentionInDays": "7"}, {"/RetentionInDays": "14"},
                   "changed outside CloudFormation"),
    ]

    def test_count_checks_counts_each_status(self):
        assert count_checks(self.CHECKS) == {"pass": 1, "fail": 2, "unsupported": 1}

    def test_failure_lines_name_check_expected_and_actual(self):
        assert failure_lines(self.CHECKS) == [
            "log group /g: retention: expected 7, actual 14",
            'resource R: drift: expected {"/RetentionInDays": "7"}, actual {"/RetentionInDays": "14"} '
            "(changed outside CloudFormation)",
        ]

    def test_summary_lines_table_with_reasons_and_counts(self):
        lines = summary_lines(self.CHECKS)

        assert lines[0].split() == ["STATUS", "CHECK", "EXPECTED", "ACTUAL"]
        assert lines[1].split()[0] == "pass"
        assert lines[2].split()[0] == "FAIL"
        assert lines[3].startswith("unsupported  table t: time to live")
        assert lines[4].strip() == "-> the endpoint ignores TimeToLiveSpecification"
        assert lines[-1] == "1 passed, 2 failed, 1 unsupported (not counted as passed)"
        assert "changed outside CloudFormation" in lines[-2]

    def test_summary_lines_shorten_long_values(self):
        long_value = "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-sessions"
        line = summary_lines([make_check("output X: value", PASS, long_value, long_value)])[1]

        assert long_value not in line
        assert "arn:aws:dynamodb:us-east-1:1234..." in line

    def test_make_check_unknown_status_raises(self):
        with pytest.raises(ValueError):
            make_check("x", "passed", 1, 1)
