"""verification: what the stack holds and the template does not declare fails, and so does a declared table that
the stack lacks. Pure data (the live info built through the info module's transformations), and once through
gather_stack_info on stubbed clients (botocore Stubber): ListStackResources and ListExports are read once."""
import copy

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_alarm
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_log_group
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.check_text import failure_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.check_text import summary_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import NOT_IN_STACK
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.undeclared import UNDECLARED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.verification import verify_stack
from ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_stack_verify import verify_deployed_stack
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team

STACK = team.STACK_NAME
EXTRA = "ai-chef-extra"
EXTRA_LABEL = "table %s (AiChefExtraTable)%s" % (EXTRA, UNDECLARED)
ALL_DECLARED = ["stack %s: resources all declared" % STACK, "stack %s: outputs all declared" % STACK,
                "stack %s: exports all declared" % STACK]


def team_template():
    return parse_template(team.team_template_body())


def extra_resource(logical_id="AiChefExtraTable", physical_id=EXTRA, resource_type=DYNAMODB_TABLE,
                   status="CREATE_COMPLETE"):
    return dict(LogicalResourceId=logical_id, PhysicalResourceId=physical_id, ResourceType=resource_type,
                LastUpdatedTimestamp=team.WHEN, ResourceStatus=status)


def extra_export(name="%s-ExtraTable" % STACK, value=EXTRA):
    return dict(ExportingStackId=team.STACK_ID, Name=name, Value=value)


def live_info(resources=None, exports=None, outputs=None, extra_table=False):
    """The deployed team stack (TTL and PITR on) as gather_stack_info returns it, with extra resources, exports
    and outputs ({key: value}) added."""
    stack = team.team_stack()
    for key, value in (outputs or {}).items():
        stack["Outputs"].append(dict(OutputKey=key, OutputValue=value))
    tables = [
        normalize_table("AiChefResultsTable", team.RESULTS, team.results_table(), team.time_to_live(False),
                        team.continuous_backups(True)),
        normalize_table("AiChefSessionsTable", team.SESSIONS, team.sessions_table(), team.time_to_live(True),
                        team.continuous_backups(True)),
    ]
    if extra_table:
        tables.append(normalize_table("AiChefExtraTable", EXTRA, team._table(EXTRA, ["id"], "id"),
                                      team.time_to_live(False), team.continuous_backups(False)))
    return dict(
        stack=normalize_stack(stack, team.team_resources() + list(resources or []),
                              team.team_exports() + list(exports or [])),
        tables=tables,
        alarms=[normalize_alarm("SessionsTableErrorAlarm", team.ALARM, team.team_alarm())],
        log_groups=[normalize_log_group("DynamoDBLogGroup", team.LOG_GROUP, team.team_log_group())],
    )


def by_name(checks):
    names = [check["name"] for check in checks]
    assert len(names) == len(set(names)), "check names must be unique: %s" % names
    return dict((check["name"], check) for check in checks)


def problems(checks):
    return dict((check["name"], check["status"]) for check in checks if check["status"] != PASS)


def verify(template=None, info=None):
    return verify_stack(STACK, template or team_template(), info or live_info())


class TestMatchingStack:
    def test_matching_stack_passes_the_three_undeclared_checks(self):
        checks = by_name(verify())

        assert problems(checks.values()) == {}
        for name in ALL_DECLARED:
            assert checks[name]["status"] == PASS
        assert not [name for name in checks if UNDECLARED in name]

    def test_matching_stack_passes_read_as_one_summary_row(self):
        lines = summary_lines(verify())
        assert lines[-1] == "%d passed, 0 failed, 0 unsupported (not counted as passed)" % len(verify())

    def test_deleted_resource_still_listed_is_not_undeclared(self):
        info = live_info(resources=[extra_resource(status="DELETE_COMPLETE")])
        assert problems(verify(info=info)) == {}


class TestUndeclaredResources:
    def test_extra_table_fails_naming_the_table_and_its_logical_id(self):
        checks = by_name(verify(info=live_info(resources=[extra_resource()], extra_table=True)))

        assert problems(checks.values()) == {EXTRA_LABEL: FAIL}
        check = checks[EXTRA_LABEL]
        assert check["expected"] == NOT_IN_STACK
        assert check["actual"] == "CREATE_COMPLETE"
        assert "AiChefExtraTable" in check["reason"]
        assert "stack %s: resources all declared" % STACK not in checks

    def test_extra_table_failure_line_names_the_table(self):
        lines = failure_lines(verify(info=live_info(resources=[extra_resource()], extra_table=True)))
        assert len(lines) == 1 and lines[0].startswith(
            "table ai-chef-extra (AiChefExtraTable) is in the stack but not declared: expected not in the stack, "
            "actual CREATE_COMPLETE (the template does not declare logical id AiChefExtraTable")

    def test_other_types_are_named_by_logical_id_and_type(self):
        resources = [extra_resource("ExtraTopic", "arn:aws:sns:us-east-1:123456789012:t", "AWS::SNS::Topic"),
                     extra_resource("ExtraAlarm", "Extra-Alarm", CLOUDWATCH_ALARM),
                     extra_resource("ExtraLogGroup", "/aws/x", LOGS_LOG_GROUP),
                     extra_resource("Failed", None, "AWS::SNS::Topic", "CREATE_FAILED")]
        checks = problems(verify(info=live_info(resources=resources)))

        assert by_name(verify(info=live_info(resources=resources)))[
            "resource ExtraTopic (AWS::SNS::Topic)" + UNDECLARED]["actual"] == "CREATE_COMPLETE " + resources[0][
                "PhysicalResourceId"]
        assert checks == {"resource ExtraTopic (AWS::SNS::Topic)" + UNDECLARED: FAIL,
                          "alarm Extra-Alarm (ExtraAlarm)" + UNDECLARED: FAIL,
                          "log group /aws/x (ExtraLogGroup)" + UNDECLARED: FAIL,
                          "resource Failed (AWS::SNS::Topic)" + UNDECLARED: FAIL}

    def test_template_with_a_transform_leaves_resources_unsupported(self):
        template = team_template()
        template["Transform"] = "AWS::Serverless-2016-10-31"
        checks = by_name(verify(template=template, info=live_info(resources=[extra_resource()], extra_table=True)))

        check = checks["stack %s: resources all declared" % STACK]
        assert check["status"] == UNSUPPORTED and "AWS::Serverless-2016-10-31" in check["reason"]
        assert EXTRA_LABEL not in checks


class TestUndeclaredOutputsAndExports:
    def test_extra_output_fails_with_its_value(self):
        checks = by_name(verify(info=live_info(outputs={"ExtraTableName": EXTRA})))

        assert problems(checks.values()) == {"output ExtraTableName" + UNDECLARED: FAIL}
        check = checks["output ExtraTableName" + UNDECLARED]
        assert (check["expected"], check["actual"]) == (NOT_IN_STACK, EXTRA)

    def test_extra_export_fails_with_its_value(self):
        name = "%s-ExtraTable" % STACK
        checks = by_name(verify(info=live_info(exports=[extra_export()])))

        assert problems(checks.values()) == {"export %s%s" % (name, UNDECLARED): FAIL}
        check = checks["export %s%s" % (name, UNDECLARED)]
        assert (check["expected"], check["actual"]) == ("not listed", EXTRA)
        assert "ListExports" in check["reason"]

    def test_export_names_resolve_from_parameters(self):
        template = team_template()
        template["Parameters"] = {"Prefix": {"Type": "String"}}
        template["Outputs"]["SessionsTableName"]["Export"]["Name"] = {"Fn::Sub": "${Prefix}-SessionsTable"}
        info = live_info()
        info["stack"]["parameters"] = {"Prefix": STACK}

        assert problems(verify(template=template, info=info)) == {}

    def test_unresolvable_export_name_makes_the_export_check_unsupported(self):
        template = team_template()
        template["Outputs"]["SessionsTableName"]["Export"]["Name"] = {"Fn::ImportValue": "elsewhere"}
        checks = by_name(verify(template=template, info=live_info(exports=[extra_export()])))

        check = checks["stack %s: exports all declared" % STACK]
        assert check["status"] == UNSUPPORTED
        assert "Fn::ImportValue" in check["reason"] and "SessionsTableName" in check["reason"]
        assert not [name for name in checks if name.startswith("export %s-ExtraTable" % STACK)]

    def test_dropped_output_fails_as_output_and_as_export(self):
        """A declaration without ResultsTableArn against the stack that has it: both its output and export."""
        template = team_template()
        del template["Outputs"]["ResultsTableArn"]

        assert problems(verify(template=template)) == {
            "output ResultsTableArn" + UNDECLARED: FAIL,
            "export %s-ResultsTableArn%s" % (STACK, UNDECLARED): FAIL}


class TestDeclaredTableMissing:
    def test_declared_table_missing_from_the_stack_fails_naming_the_table(self):
        info = live_info()
        info["stack"]["resources"] = [r for r in info["stack"]["resources"]
                                      if r["logical_resource_id"] != "AiChefResultsTable"]
        info["tables"] = [t for t in info["tables"] if t["logical_resource_id"] != "AiChefResultsTable"]
        checks = by_name(verify(info=info))

        check = checks["table %s: exists" % team.RESULTS]
        assert (check["status"], check["expected"], check["actual"]) == (FAIL, "present", NOT_IN_STACK)
        assert "AiChefResultsTable" in check["reason"]
        assert any(line.startswith("table %s: exists: expected present, actual not in the stack" % team.RESULTS)
                   for line in failure_lines(checks.values()))

    def test_declared_table_without_a_name_is_named_by_logical_id(self):
        template = copy.deepcopy(team_template())
        del template["Resources"]["AiChefResultsTable"]["Properties"]["TableName"]
        info = live_info()
        info["stack"]["resources"] = [r for r in info["stack"]["resources"]
                                      if r["logical_resource_id"] != "AiChefResultsTable"]
        info["tables"] = [t for t in info["tables"] if t["logical_resource_id"] != "AiChefResultsTable"]

        assert problems(verify(template=template, info=info))["table AiChefResultsTable: exists"] == FAIL


class TestThroughTheAwsReads:
    """gather_stack_info on stubbed clients: a three-table stack verified against the two-table declaration."""

    def test_third_table_output_and_export_fail(self, stubbed_clients):
        team.stub_describe_stack(stubbed_clients, dict(team.team_stack(), Outputs=team.team_stack()["Outputs"] + [
            dict(OutputKey="ExtraTableName", OutputValue=EXTRA, ExportName="%s-ExtraTable" % STACK)]))
        team.stub_list_stack_resources(stubbed_clients, team.team_resources() + [extra_resource()])
        team.stub_list_exports(stubbed_clients, team.team_exports() + [
            extra_export(), dict(ExportingStackId=team.STACK_ID.replace(STACK, "other"), Name="other-X", Value="x")])
        team.stub_table(stubbed_clients, team.results_table(), pitr_enabled=True)
        team.stub_table(stubbed_clients, team.sessions_table(), ttl_enabled=True, pitr_enabled=True)
        team.stub_table(stubbed_clients, team._table(EXTRA, ["id"], "id"))
        team.stub_describe_alarms(stubbed_clients)
        team.stub_describe_log_groups(stubbed_clients)

        result = verify_deployed_stack(stubbed_clients, STACK, team_template(), False, wait_timeout=300)

        assert problems(result["checks"]) == {
            EXTRA_LABEL: FAIL,
            "output ExtraTableName" + UNDECLARED: FAIL,
            "export %s-ExtraTable%s" % (STACK, UNDECLARED): FAIL,
        }
        assert result["counts"]["fail"] == 3
        assert any(EXTRA in line for line in result["failures"])
        assert any(line.startswith("FAIL") and EXTRA in line for line in result["summary"])

    def test_matching_stack_has_no_undeclared_failure(self, stubbed_clients):
        team.stub_team_stack(stubbed_clients, ttl_enabled=True, pitr_enabled=True)

        result = verify_deployed_stack(stubbed_clients, STACK, team_template(), False, wait_timeout=300)

        assert problems(result["checks"]) == {}
        assert [c["name"] for c in result["checks"] if c["name"] in ALL_DECLARED] == ALL_DECLARED
