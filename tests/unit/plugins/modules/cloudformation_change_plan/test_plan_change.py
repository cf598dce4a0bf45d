"""plan_change(): the plan of a deploy, and the guard that refuses to lose a table or break an importing stack."""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import preview
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import NO_CHANGES_REASON
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import property_detail
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_EXPORTS
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

DELETE = "cloudformation:DeleteChangeSet"
PREVIEW_CALLS = ["cloudformation:DescribeStacks", "cloudformation:GetTemplate", "cloudformation:CreateChangeSet",
                 "cloudformation:DescribeChangeSet", DELETE, "cloudformation:ListExports"]
EVENTS = "cloudformation:DescribeStackEvents"
SESSIONS_EXPORT = STACK_NAME + "-SessionsTable"
SAFE_PATH = ("Safe path: declare a new table, copy the items (playbooks/migrate-dynamodb-table.yml), then remove the "
             "old one")


def sessions_key_change_aws():
    """AWS: a new hash key replaces the table (Replacement True, KeySchema RequiresRecreation Always)."""
    return resource_change("AiChefSessionsTable", "Modify", "True", physical_id="ai-chef-sessions", details=[
        property_detail("AttributeDefinitions"), property_detail("KeySchema", "Always")])


def sessions_key_change_emulator():
    """The emulator: the same change as Replacement Conditional, without RequiresRecreation."""
    return resource_change("AiChefSessionsTable", "Modify", "Conditional", physical_id="ai-chef-sessions", details=[
        {"Target": {"Attribute": "Properties", "Name": "KeySchema"}}])


def results_gsi_change():
    return resource_change("AiChefResultsTable", "Modify", "False", physical_id="ai-chef-results",
                           details=[property_detail("GlobalSecondaryIndexes")])


def plan(cloudformation, clock, params):
    return preview.plan_change(cloudformation.wrapped(), params, sleep=clock.sleep, clock=clock)


def refuse(cloudformation, clock, params):
    with pytest.raises(preview.ChangeRefused) as e:
        plan(cloudformation, clock, params)
    return e.value


class TestTableGuard:
    def test_plan_change_replacement_true_refused_naming_table_cause_and_safe_path(self, cloudformation, api_calls,
                                                                                   clock, plan_params, stub_preview):
        stub_preview([sessions_key_change_aws(), results_gsi_change()])

        refusal = refuse(cloudformation, clock, plan_params())

        assert refusal.message.startswith(
            "Refusing to update stack %s: table ai-chef-sessions (AiChefSessionsTable) would be REPLACED "
            "(Replacement: True) in stack %s because KeySchema changed" % (STACK_NAME, STACK_NAME))
        assert SAFE_PATH in refusal.message
        assert "dynamodb_stack_allow_table_replacement: [ai-chef-sessions]" in refusal.message
        assert refusal.message.endswith(". Nothing was executed.")
        assert "ai-chef-results" not in refusal.message  # its GSI change keeps the table
        assert [change["logical_resource_id"] for change in refusal.kwargs["changes"]] == [
            "AiChefSessionsTable", "AiChefResultsTable"]
        assert api_calls == PREVIEW_CALLS  # the change set was deleted; nothing was executed

    def test_plan_change_replacement_conditional_refused(self, cloudformation, api_calls, clock, plan_params,
                                                         stub_preview):
        stub_preview([sessions_key_change_emulator()])

        refusal = refuse(cloudformation, clock, plan_params())

        assert "table ai-chef-sessions (AiChefSessionsTable) would be REPLACED (Replacement: Conditional) in stack " \
               "%s because KeySchema changed" % STACK_NAME in refusal.message
        assert SAFE_PATH in refusal.message
        assert DELETE in api_calls

    def test_plan_change_table_removed_refused(self, cloudformation, api_calls, clock, plan_params, stub_preview):
        stub_preview([resource_change("AiChefResultsTable", "Remove", physical_id="ai-chef-results")])

        refusal = refuse(cloudformation, clock, plan_params())

        assert ("table ai-chef-results (AiChefResultsTable) would be REMOVED from stack %s: its logical id left the "
                "template or was renamed" % STACK_NAME) in refusal.message
        assert "dynamodb_stack_allow_table_replacement: [ai-chef-results]" in refusal.message
        assert DELETE in api_calls

    def test_plan_change_two_tables_lost_refuses_naming_both(self, cloudformation, clock, plan_params, stub_preview):
        stub_preview([sessions_key_change_aws(),
                      resource_change("AiChefResultsTable", "Remove", physical_id="ai-chef-results")])

        refusal = refuse(cloudformation, clock, plan_params())

        assert "table ai-chef-sessions (AiChefSessionsTable) would be REPLACED" in refusal.message
        assert "; table ai-chef-results (AiChefResultsTable) would be REMOVED" in refusal.message

    def test_plan_change_modify_without_replacement_passes(self, cloudformation, api_calls, clock, plan_params,
                                                           stub_preview, stub_last_event):
        stub_preview([results_gsi_change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params())

        assert (result["operation"], result["summary"]) == (
            "update", "Stack %s: update with 1 change (1 modify)" % STACK_NAME)
        assert result["accepted_table_losses"] == []
        assert result["changes"][0]["properties"] == ["GlobalSecondaryIndexes"]
        assert result["diff"]["prepared"] == (
            "Stack %s: update with 1 change (1 modify)\n"
            "~ Modify  AiChefResultsTable (AWS::DynamoDB::Table) replacement: False [GlobalSecondaryIndexes]\n"
            % STACK_NAME)
        assert api_calls == PREVIEW_CALLS + [EVENTS]

    @pytest.mark.parametrize("allowed", [["AiChefSessionsTable"], ["ai-chef-sessions"]],
                             ids=["logical-id", "table-name"])
    @pytest.mark.parametrize("change", [sessions_key_change_aws, sessions_key_change_emulator],
                             ids=["aws-true", "emulator-conditional"])
    def test_plan_change_allowed_table_replacement_passes_and_is_reported(self, allowed, change, cloudformation,
                                                                          api_calls, clock, plan_params, stub_preview,
                                                                          stub_last_event):
        stub_preview([change()])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(allow_table_replacement=allowed))

        assert result["operation"] == "update"
        assert [loss["physical_resource_id"] for loss in result["accepted_table_losses"]] == ["ai-chef-sessions"]
        assert result["accepted_table_losses"] == result["changes"]
        assert "  <-- the table's items would be lost" in result["diff"]["prepared"]
        assert DELETE in api_calls

    def test_plan_change_allowed_removal_passes(self, cloudformation, clock, plan_params, stub_preview,
                                                stub_last_event):
        stub_preview([resource_change("AiChefResultsTable", "Remove", physical_id="ai-chef-results")])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(allow_table_replacement=["AiChefResultsTable"]))

        assert [loss["action"] for loss in result["accepted_table_losses"]] == ["Remove"]
        assert result["summary"] == "Stack %s: update with 1 change (1 remove)" % STACK_NAME

    def test_plan_change_non_table_replacement_passes(self, cloudformation, clock, plan_params, stub_preview,
                                                      stub_last_event):
        """Replacing an alarm (a new AlarmName) loses no items: no refusal, no accepted loss."""
        stub_preview([resource_change("SessionsTableErrorAlarm", "Modify", "True", resource_type=CLOUDWATCH_ALARM,
                                      physical_id="AI-Chef-DynamoDB-SessionsTable-Errors",
                                      details=[property_detail("AlarmName", "Always")])])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params())

        assert result["operation"] == "update"
        assert result["accepted_table_losses"] == []
        assert result["changes"][0]["replacement_causes"] == ["AlarmName"]

    def test_plan_change_wait_times_out_deletes_change_set_and_raises(self, cloudformation, api_calls, clock,
                                                                      plan_params):
        cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
        cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
        cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE)
        for dummy in range(2):  # at t = 0, 1
            cfn.stub_describe_change_set(cloudformation.stubber, "CREATE_IN_PROGRESS")
        cfn.stub_delete_change_set(cloudformation.stubber)

        with pytest.raises(CloudFormationError) as e:
            plan(cloudformation, clock, plan_params(wait_timeout=1))

        assert e.value.message.endswith("still CREATE_IN_PROGRESS after 1 s")
        assert api_calls[-1] == DELETE


class TestEmptyChangeSet:
    def test_plan_change_empty_change_set_plans_none(self, cloudformation, api_calls, clock, plan_params, stub_preview):
        """No deploy follows, so the events (read only to follow a deploy) are not: one call fewer."""
        stub_preview(status="FAILED", status_reason=NO_CHANGES_REASON)

        result = plan(cloudformation, clock, plan_params())

        assert (result["operation"], result["changes_stack"], result["changes"], result["summary"]) == (
            "none", False, [], "Stack %s: nothing to change" % STACK_NAME)
        assert result["diff"]["prepared"] == "Stack %s: nothing to change\n" % STACK_NAME
        assert (api_calls[-2:], result["last_event_id"]) == ([DELETE, "cloudformation:ListExports"], "")

    def test_plan_change_failed_change_set_raises_with_reason(self, cloudformation, api_calls, clock, plan_params,
                                                              stub_preview):
        reason = "Template error: instance of Fn::GetAtt references undefined resource AiChefSessionTable"
        stub_preview(status="FAILED", status_reason=reason, exports=None)

        with pytest.raises(CloudFormationError) as e:
            plan(cloudformation, clock, plan_params())

        assert not isinstance(e.value, preview.ChangeRefused)
        assert e.value.message == "CloudFormation could not compute the update of stack %s: %s" % (STACK_NAME, reason)
        assert api_calls[-1] == DELETE

    @pytest.mark.parametrize("differences", [["tags"], ["template", "termination_protection"],
                                             ["tags", "termination_protection"]])
    def test_plan_change_stack_settings_with_empty_change_set_stays_update(self, differences, cloudformation, clock,
                                                                           plan_params, stub_preview, stub_last_event):
        """Tags and termination protection change no resource: the change set is empty, the update is still due."""
        stub_preview(status="FAILED", status_reason=NO_CHANGES_REASON, tags={"Service": "ai-chef"})
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(differences=differences, tags={"Service": "ai-chef"}))

        settings = [name for name in differences if name != "template"]
        assert result["operation"] == "update"
        assert result["summary"] == "Stack %s: update with 0 changes; stack settings: %s" % (
            STACK_NAME, ", ".join(settings))
        assert result["changes"] == [] and result["accepted_table_losses"] == []

    def test_plan_change_outputs_only_change_set_stays_update(self, cloudformation, clock, plan_params, stub_preview,
                                                              stub_last_event):
        """AWS answers an update that changes only outputs with an executable change set that lists no change
        (Status CREATE_COMPLETE, Changes []): the deploy is still due, or the outputs never change."""
        stub_preview([])
        stub_last_event()

        result = plan(cloudformation, clock, plan_params())

        assert result["operation"] == "update"
        assert result["changes"] == []
        assert result["summary"].startswith("Stack %s: update with 0 changes" % STACK_NAME)


class TestExportGuard:
    def test_plan_change_dropped_export_imported_refused_naming_importers(self, cloudformation, api_calls, clock,
                                                                          plan_params, stub_preview):
        template = TEAM_TEMPLATE[:TEAM_TEMPLATE.index("  SessionsTableName:")] + \
            TEAM_TEMPLATE[TEAM_TEMPLATE.index("  ResultsTableName:"):]
        stub_preview([results_gsi_change()], template_body=template)
        cfn.stub_list_imports(cloudformation.stubber, SESSIONS_EXPORT, ["ai-chef-api", "ai-chef-worker"])

        refusal = refuse(cloudformation, clock, plan_params(template_body=template))

        assert refusal.message == (
            "Refusing to update stack %s: export %s is imported by stack(s) ai-chef-api, ai-chef-worker and the "
            "template no longer declares it; the update would fail and roll back. Move those stacks off the export "
            "first. Nothing was executed." % (STACK_NAME, SESSIONS_EXPORT))
        assert api_calls == PREVIEW_CALLS + ["cloudformation:ListImports"]

    def test_plan_change_dropped_export_not_imported_passes(self, cloudformation, clock, plan_params, stub_preview,
                                                            stub_last_event):
        template = TEAM_TEMPLATE[:TEAM_TEMPLATE.index("  SessionsTableName:")] + \
            TEAM_TEMPLATE[TEAM_TEMPLATE.index("  ResultsTableName:"):]
        stub_preview([results_gsi_change()], template_body=template)
        cfn.stub_list_imports(cloudformation.stubber, SESSIONS_EXPORT)  # ValidationError "not imported"
        stub_last_event()

        assert plan(cloudformation, clock, plan_params(template_body=template))["operation"] == "update"

    def test_plan_change_table_and_export_refusals_reported_together(self, cloudformation, clock, plan_params,
                                                                     stub_preview):
        template = TEAM_TEMPLATE[:TEAM_TEMPLATE.index("  SessionsTableName:")] + \
            TEAM_TEMPLATE[TEAM_TEMPLATE.index("  ResultsTableName:"):]
        stub_preview([sessions_key_change_aws()], template_body=template)
        cfn.stub_list_imports(cloudformation.stubber, SESSIONS_EXPORT, ["ai-chef-api"])

        refusal = refuse(cloudformation, clock, plan_params(template_body=template))

        assert "table ai-chef-sessions (AiChefSessionsTable) would be REPLACED" in refusal.message
        assert "; export %s is imported by stack(s) ai-chef-api" % SESSIONS_EXPORT in refusal.message

    def test_plan_change_unresolvable_export_name_skips_export_check(self, cloudformation, api_calls, clock,
                                                                     plan_params, stub_preview, stub_last_event):
        template = json.dumps({
            "Parameters": {"Environment": {"Type": "String", "Default": "prod"}},
            "Resources": {"Log": {"Type": "AWS::Logs::LogGroup"}},
            "Outputs": {"Log": {"Value": {"Ref": "Log"}, "Export": {"Name": {"Fn::Sub": "${Environment}-Log"}}}}})
        stub_preview([resource_change("Log", "Add", resource_type="AWS::Logs::LogGroup")], template_body=template,
                     exports=None)
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(template_body=template))

        assert result["operation"] == "update"
        assert "cloudformation:ListExports" not in api_calls


class TestOtherOperations:
    def test_plan_change_create_lists_template_resources_without_aws_call(self, cloudformation, api_calls, clock,
                                                                          plan_params):
        """Nothing is queued on the Stubber: any call would fail the test."""
        result = plan(cloudformation, clock, plan_params(operation="create", differences=[]))

        assert result["operation"] == "create"
        assert [(change["action"], change["logical_resource_id"]) for change in result["changes"]] == [
            ("Add", "DynamoDBLogGroup"), ("Add", "SessionsTableErrorAlarm"), ("Add", "AiChefSessionsTable"),
            ("Add", "AiChefResultsTable")]
        assert result["summary"] == "Stack %s: create with 4 changes (4 add)" % STACK_NAME
        assert result["accepted_table_losses"] == []
        assert api_calls == []

    def test_plan_change_none_plans_nothing_without_aws_call(self, cloudformation, api_calls, clock, plan_params):
        result = plan(cloudformation, clock, plan_params(operation="none", differences=[]))

        assert (result["operation"], result["changes"], result["summary"]) == (
            "none", [], "Stack %s: nothing to change" % STACK_NAME)
        assert api_calls == []

    def test_plan_change_none_client_for_create_is_enough(self, plan_params):
        """main() asks for no client unless the operation is update."""
        result = preview.plan_change(None, plan_params(operation="create", differences=[]))
        assert len(result["changes"]) == 4

    def test_plan_change_update_of_missing_stack_raises_before_change_set(self, cloudformation, api_calls, clock,
                                                                          plan_params):
        cfn.stub_describe_stacks(cloudformation.stubber, ABSENT_STATUS)

        with pytest.raises(CloudFormationError) as e:
            plan(cloudformation, clock, plan_params())

        assert e.value.message.startswith("Stack %s does not exist: nothing to update" % STACK_NAME)
        assert api_calls == ["cloudformation:DescribeStacks"]

    def test_plan_change_create_change_set_sends_declared_tags_and_capabilities(self, cloudformation, clock,
                                                                                plan_params, stub_last_event):
        cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
        cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
        cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE, capabilities=["CAPABILITY_NAMED_IAM"],
                                   tags={"Service": "ai-chef", "Environment": "production"})
        cfn.stub_describe_change_set(cloudformation.stubber, changes=[results_gsi_change()])
        cfn.stub_delete_change_set(cloudformation.stubber)
        cfn.stub_list_exports(cloudformation.stubber, TEAM_EXPORTS)
        stub_last_event()

        result = plan(cloudformation, clock, plan_params(capabilities=["CAPABILITY_NAMED_IAM"], tags={
            "Service": "ai-chef", "Environment": "production"}))

        assert result["operation"] == "update"


class TestLastEventId:
    """last_event_id: the newest stack event before the deploy, from which cloudformation_stack_progress follows."""

    def test_plan_change_update_reads_one_event_page_returns_newest_event_id(self, cloudformation, api_calls, clock,
                                                                             plan_params, stub_preview):
        """Only the newest event matters: one page, its NextToken not followed."""
        history = StackHistory().successful_create()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        newest = history.stack("UPDATE_COMPLETE")
        stub_preview([results_gsi_change()])
        cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first(), next_token="page-2")

        result = plan(cloudformation, clock, plan_params())

        assert (result["operation"], result["last_event_id"]) == ("update", newest["EventId"])
        assert api_calls == PREVIEW_CALLS + [EVENTS]

    def test_plan_change_update_stack_without_events_returns_empty_last_event_id(self, cloudformation, clock,
                                                                                 plan_params, stub_preview,
                                                                                 stub_last_event):
        stub_preview([results_gsi_change()])
        assert stub_last_event(StackHistory()) == ""

        result = plan(cloudformation, clock, plan_params())

        assert (result["operation"], result["last_event_id"]) == ("update", "")

    @pytest.mark.parametrize("operation", ["create", "none"])
    def test_plan_change_create_or_none_returns_empty_last_event_id_without_aws_call(self, operation, cloudformation,
                                                                                     api_calls, clock, plan_params):
        """Nothing is queued on the Stubber: any call would fail the test."""
        result = plan(cloudformation, clock, plan_params(operation=operation, differences=[]))

        assert result["last_event_id"] == ""
        assert api_calls == []

    def test_plan_change_update_refused_reads_no_events(self, cloudformation, api_calls, clock, plan_params,
                                                        stub_preview):
        """The events are read only once the guard has passed: a refused update stops before them."""
        stub_preview([sessions_key_change_aws()])

        refuse(cloudformation, clock, plan_params())

        assert EVENTS not in api_calls

    def test_plan_change_update_events_access_denied_raises(self, cloudformation, clock, plan_params, stub_preview):
        stub_preview([results_gsi_change()])
        cfn.stub_describe_stack_events(cloudformation.stubber, [], error_code="AccessDenied",
                                       error_message="not authorized to perform cloudformation:DescribeStackEvents")

        with pytest.raises(CloudFormationError) as e:
            plan(cloudformation, clock, plan_params())

        assert not isinstance(e.value, preview.ChangeRefused)
        assert e.value.message == "Failed to read the events of stack %s" % STACK_NAME
