"""StackRecovery.run(): every row of the status table of DESIGN.md section 3, against stubbed AWS APIs.

The Stubber refuses any call that was not queued, and `api_calls` lists every call attempted (in order,
across CloudFormation and DynamoDB), so "no delete was issued" is asserted, not assumed.
"""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import status as table
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import TABLE_EXISTS_LINE
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_describe_table
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_scan
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import READ_OPERATIONS


from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import StackRecoveryRefused
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TABLES
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE


DESCRIBE = "cloudformation:DescribeStacks"
EVENTS = "cloudformation:DescribeStackEvents"
RESOURCES = "cloudformation:ListStackResources"
DELETE = "cloudformation:DeleteStack"
CONTINUE = "cloudformation:ContinueUpdateRollback"
ROLLBACK = "cloudformation:RollbackStack"
TABLE = "dynamodb:DescribeTable"
SCAN = "dynamodb:Scan"
GET_TEMPLATE = "cloudformation:GetTemplate"

HEALTHY = [status for status, row in table.STACK_STATUS_TABLE.items() if row.phase == table.STABLE]
BUSY = [status for status, row in table.STACK_STATUS_TABLE.items() if row.phase == table.BUSY]
# What each busy status settles to when its operation succeeds.
SETTLES_TO = {
    "CREATE_IN_PROGRESS": "CREATE_COMPLETE",
    "DELETE_IN_PROGRESS": table.ABSENT_STATUS,
    "UPDATE_IN_PROGRESS": "UPDATE_COMPLETE",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_IN_PROGRESS": "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_IN_PROGRESS": "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS": "IMPORT_ROLLBACK_COMPLETE",
    "ROLLBACK_IN_PROGRESS": "ROLLBACK_COMPLETE",  # settles to a dead state: see the wait-then-delete test
}

# Tables of a failed first create as ListStackResources reports them: only live tables are scanned.
FAILED_CREATE_RESOURCES = [
    cfn.resource_summary("AiChefSessionsTable", "ai-chef-sessions", status="CREATE_COMPLETE"),
    cfn.resource_summary("AiChefResultsTable", "ai-chef-results", status="DELETE_FAILED"),
    cfn.resource_summary("ArchiveTable", "ai-chef-archive", status="DELETE_COMPLETE"),  # gone: not scanned
    cfn.resource_summary("DraftsTable", None, status="CREATE_FAILED"),  # never created: no physical id
    cfn.resource_summary("SessionsTableErrorAlarm", "AI-Chef-DynamoDB-SessionsTable-Errors",
                         resource_type=cfn.CLOUDWATCH_ALARM),
]


def outcome(result):
    return {key: result[key] for key in ("status_before", "phase_before", "action", "status_after", "deploy",
                                         "changed")}


def steps(result):
    return [(step["action"], step["status_before"], step["status_after"]) for step in result["actions"]]


def stub_tables_free(dynamodb, names=TEAM_TABLES):  # pylint: disable=dangerous-default-value
    for name in names:
        stub_describe_table(dynamodb.stubber, name, exists=False)


def stub_settling(cloudformation, busy, settled, history=None, polls=1):
    """A wait: `polls` reads answer `busy` (each followed by the events read for progress), then `settled`."""
    for dummy in range(polls):
        cfn.stub_describe_stacks(cloudformation.stubber, busy)
        cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first() if history else [])
    cfn.stub_describe_stacks(cloudformation.stubber, settled)


def stub_delete_until_gone(cloudformation, history):
    cfn.stub_delete_stack(cloudformation.stubber)
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    stub_settling(cloudformation, "DELETE_IN_PROGRESS", table.ABSENT_STATUS, history)


def review_history():
    history = StackHistory()
    history.stack("REVIEW_IN_PROGRESS", "User Initiated")
    return history


def dead_history(status):
    return review_history() if status == "REVIEW_IN_PROGRESS" else StackHistory().failed_create(status)


# --- absent: create ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [table.ABSENT_STATUS, "DELETE_COMPLETE"])
def test_run_absent_without_template_one_call_deploy_create(status, cloudformation, api_calls, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    result = make_recovery().run()
    assert api_calls == [DESCRIBE]
    assert outcome(result) == dict(status_before=status, phase_before="absent", action="none", status_after=status,
                                   deploy="create", changed=False)
    assert (result["actions"], result["events"], result["failures"]) == ([], [], [])
    assert result["stack_name"] == STACK_NAME


@pytest.mark.parametrize("status", [table.ABSENT_STATUS, "DELETE_COMPLETE"])
def test_run_absent_tables_free_checks_tables_deploy_create(status, cloudformation, dynamodb, api_calls,
                                                            make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    stub_tables_free(dynamodb)
    result = make_recovery(template_body=TEAM_TEMPLATE).run()
    assert api_calls == [DESCRIBE, TABLE, TABLE]
    assert (result["action"], result["deploy"], result["changed"]) == ("none", "create", False)


@pytest.mark.parametrize("status", [table.ABSENT_STATUS, "DELETE_COMPLETE"])
def test_run_absent_table_exists_refuses_naming_table(status, cloudformation, dynamodb, api_calls, make_recovery):
    """AWS would refuse the create (the emulator would adopt the table): fail first and name it."""
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    stub_describe_table(dynamodb.stubber, "ai-chef-sessions", exists=True)
    stub_describe_table(dynamodb.stubber, "ai-chef-results", exists=False)
    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery(template_body=TEAM_TEMPLATE).run()
    assert "table(s) ai-chef-sessions already exist outside it" in e.value.message
    assert "ai-chef-results" not in e.value.message
    assert e.value.message.startswith("Stack %s is %s: the stack must be created" % (STACK_NAME, status))
    assert e.value.message.endswith("Nothing was changed.")
    assert api_calls == [DESCRIBE, TABLE, TABLE]


# --- healthy: update normally, one call ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", HEALTHY, ids=str)
def test_run_healthy_without_template_one_describe_call_unchanged(status, cloudformation, api_calls, clock,
                                                                  make_recovery):
    """Nothing to compare with: exactly one DescribeStacks, no events, no table check, and the deploy updates."""
    cfn.stub_describe_stacks(cloudformation.stubber, status, outputs={"SessionsTableName": "ai-chef-sessions"})
    result = make_recovery().run()
    assert api_calls == [DESCRIBE]
    assert outcome(result) == dict(status_before=status, phase_before="stable", action="none", status_after=status,
                                   deploy="update", changed=False)
    assert (result["actions"], result["events"], result["failures"], clock.sleeps) == ([], [], [], [])
    assert result["differences"] == ["template"]
    assert result["stack_outputs"] == {"SessionsTableName": "ai-chef-sessions"}


@pytest.mark.parametrize("status", HEALTHY, ids=str)
def test_run_healthy_template_matches_deploy_none(status, cloudformation, api_calls, make_recovery):
    """The no-op re-run: DescribeStacks plus GetTemplate, no table check, and nothing left to deploy."""
    cfn.stub_describe_stacks(cloudformation.stubber, status, tags={"Service": "ai-chef"})
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    result = make_recovery(template_body=TEAM_TEMPLATE, tags={"Service": "ai-chef"},
                           termination_protection=False).run()
    assert api_calls == [DESCRIBE, "cloudformation:GetTemplate"]
    assert (result["action"], result["deploy"], result["differences"], result["changed"]) == (
        "none", "none", [], False)
    assert (result["deploy_needed"], result["recovers"], result["plan"]) == (False, False, {})


@pytest.mark.parametrize("declared, differences", [
    (dict(template_body=TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: 14")), ["template"]),
    (dict(template_body=TEAM_TEMPLATE, tags={"Service": "other"}), ["tags"]),
    (dict(template_body=TEAM_TEMPLATE, termination_protection=True), ["termination_protection"]),
], ids=["template", "tags", "termination-protection"])
def test_run_healthy_declaration_differs_deploy_update(declared, differences, cloudformation, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE", tags={"Service": "ai-chef"})
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    result = make_recovery(**declared).run()
    assert (result["deploy"], result["differences"], result["changed"]) == ("update", differences, False)


PROTECTION = cfn.TABLE_PROTECTION_POLICY


def test_run_stack_policy_matches_deploy_none_one_call_more(cloudformation, api_calls, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_get_stack_policy(cloudformation.stubber, PROTECTION)
    result = make_recovery(template_body=TEAM_TEMPLATE, stack_policy=PROTECTION).run()
    assert api_calls == [DESCRIBE, "cloudformation:GetTemplate", "cloudformation:GetStackPolicy"]
    assert (result["deploy"], result["differences"]) == ("none", [])


@pytest.mark.parametrize("live_policy", [None, {"Statement": [PROTECTION["Statement"][0]]}], ids=["none", "other"])
def test_run_stack_policy_differs_alone_named_deploy_stays_none(live_policy, cloudformation, make_recovery):
    """A stack deployed before the protection (no policy), or whose policy was changed by hand: the difference is
    named, and no update is planned for it (SetStackPolicy sets a policy; UpdateStack would say "No updates")."""
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_get_stack_policy(cloudformation.stubber, live_policy)
    result = make_recovery(template_body=TEAM_TEMPLATE, stack_policy=PROTECTION).run()
    assert (result["deploy"], result["differences"], result["stack_policy_differs"]) == ("none", ["stack_policy"], True)


def test_run_stack_policy_and_template_differ_deploy_update(cloudformation, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_get_stack_policy(cloudformation.stubber, None)
    result = make_recovery(template_body=TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: 14"),
                           stack_policy=PROTECTION).run()
    assert (result["deploy"], result["differences"], result["stack_policy_differs"]) == (
        "update", ["template", "stack_policy"], True)


def test_run_healthy_statuses_are_the_designed_five():
    assert sorted(HEALTHY) == sorted(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
                                      "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"])


# --- ROLLBACK_COMPLETE / REVIEW_IN_PROGRESS: check tables, delete, wait, create -------------------------------------
@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"])
def test_run_dead_stack_tables_free_deletes_until_absent(status, cloudformation, dynamodb, api_calls, clock,
                                                         make_recovery):
    history = dead_history(status)
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    stub_tables_free(dynamodb)
    stub_delete_until_gone(cloudformation, history)

    result = make_recovery(template_body=TEAM_TEMPLATE).run()

    # the table check comes before the delete; the wait polls until DescribeStacks says "does not exist"
    assert api_calls == [DESCRIBE, EVENTS, TABLE, TABLE, DELETE, DESCRIBE, EVENTS, DESCRIBE]
    assert outcome(result) == dict(status_before=status, phase_before="dead", action="delete",
                                   status_after="ABSENT", deploy="create", changed=True)
    assert steps(result) == [("delete", status, "ABSENT")]
    assert clock.sleeps == [1.0]
    assert result["events"][-1]["resource_status"] == "DELETE_IN_PROGRESS"


def test_run_rollback_complete_reports_root_cause_first(cloudformation, dynamodb, make_recovery):
    history = StackHistory().failed_create("ROLLBACK_COMPLETE")
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    stub_delete_until_gone(cloudformation, history)
    result = make_recovery().run()
    assert result["failures"][0] == TABLE_EXISTS_LINE
    assert result["failures"][1] == ("AiChefResultsTable AWS::DynamoDB::Table CREATE_FAILED: "
                                     "Resource creation cancelled")
    assert result["events"][0]["resource_status"] == "CREATE_IN_PROGRESS"


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"])
def test_run_dead_stack_without_template_deletes_without_table_check(status, cloudformation, api_calls,
                                                                     make_recovery):
    history = dead_history(status)
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    stub_delete_until_gone(cloudformation, history)
    result = make_recovery().run()
    assert api_calls == [DESCRIBE, EVENTS, DELETE, DESCRIBE, EVENTS, DESCRIBE]
    assert (result["status_after"], result["deploy"], result["changed"]) == ("ABSENT", "create", True)


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"])
def test_run_dead_stack_table_outside_refuses_without_delete(status, cloudformation, dynamodb, api_calls,
                                                             make_recovery):
    """A table kept by a plain Retain policy would make the create fail: refuse before deleting anything."""
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, dead_history(status).newest_first())
    stub_describe_table(dynamodb.stubber, "ai-chef-sessions", exists=False)
    stub_describe_table(dynamodb.stubber, "ai-chef-results", exists=True)
    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery(template_body=TEAM_TEMPLATE).run()
    assert "table(s) ai-chef-results already exist outside it" in e.value.message
    assert "Nothing was changed." in e.value.message
    assert DELETE not in api_calls
    assert api_calls == [DESCRIBE, EVENTS, TABLE, TABLE]


def test_run_delete_ends_delete_failed_refuses_after_delete(cloudformation, dynamodb, api_calls, make_recovery):
    """The delete itself fails: decide again on DELETE_FAILED (a person must look), and do not claim that
    nothing changed, since a delete was issued."""
    history = StackHistory().failed_create("ROLLBACK_COMPLETE")
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_delete_stack(cloudformation.stubber)
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    history.resource("DynamoDBLogGroup", "DELETE_FAILED", "Log group is in use", resource_type="AWS::Logs::LogGroup")
    history.stack("DELETE_FAILED", "The following resource(s) failed to delete: [DynamoDBLogGroup].")
    stub_settling(cloudformation, "DELETE_IN_PROGRESS", "DELETE_FAILED", history)
    recovery = make_recovery()
    with pytest.raises(StackRecoveryRefused) as e:
        recovery.run()
    assert api_calls.count(DELETE) == 1
    assert e.value.message.startswith("Stack %s is DELETE_FAILED: a delete failed" % STACK_NAME)
    assert "Nothing was changed" not in e.value.message
    assert "delete" in e.value.message.split("Root cause")[-1]  # says what was done before refusing
    assert "DynamoDBLogGroup AWS::Logs::LogGroup DELETE_FAILED: Log group is in use" in recovery.failure_lines()


# --- ROLLBACK_FAILED / CREATE_FAILED: delete only when no table holds items -----------------------------------------
@pytest.mark.parametrize("status", ["ROLLBACK_FAILED", "CREATE_FAILED"])
def test_run_failed_create_tables_empty_deletes_until_absent(status, cloudformation, dynamodb, api_calls, clock,
                                                             make_recovery):
    history = StackHistory().failed_create(status)
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES)
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 0)
    stub_scan(dynamodb.stubber, "ai-chef-results", 0)
    stub_delete_until_gone(cloudformation, history)

    result = make_recovery().run()

    assert api_calls == [DESCRIBE, EVENTS, RESOURCES, GET_TEMPLATE, SCAN, SCAN, DELETE, DESCRIBE, EVENTS, DESCRIBE]
    assert outcome(result) == dict(status_before=status, phase_before="dead", action="delete_if_empty",
                                   status_after="ABSENT", deploy="create", changed=True)
    assert steps(result) == [("delete_if_empty", status, "ABSENT")]
    assert result["failures"][0] == TABLE_EXISTS_LINE
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize("status", ["ROLLBACK_FAILED", "CREATE_FAILED"])
def test_run_failed_create_table_with_items_refuses_naming_it(status, cloudformation, dynamodb, api_calls,
                                                              make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create(status).newest_first())
    cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES)
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 0)
    stub_scan(dynamodb.stubber, "ai-chef-results", 1, last_evaluated_key={"resultId": {"S": "r-1"}})

    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery().run()

    assert "table(s) ai-chef-results still hold items" in e.value.message
    assert "allow_delete=true" in e.value.message
    assert "Root cause: %s." % TABLE_EXISTS_LINE in e.value.message
    assert e.value.message.endswith("Nothing was changed.")
    assert DELETE not in api_calls
    assert api_calls == [DESCRIBE, EVENTS, RESOURCES, GET_TEMPLATE, SCAN, SCAN]


@pytest.mark.parametrize("status", ["ROLLBACK_FAILED", "CREATE_FAILED"])
def test_run_failed_create_items_allow_delete_deletes(status, cloudformation, dynamodb, api_calls, make_recovery):
    history = StackHistory().failed_create(status)
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES)
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 5)
    stub_scan(dynamodb.stubber, "ai-chef-results", 1)
    stub_delete_until_gone(cloudformation, history)

    result = make_recovery(allow_delete=True).run()

    assert api_calls.count(DELETE) == 1
    assert (result["action"], result["status_after"], result["deploy"], result["changed"]) == (
        "delete_if_empty", "ABSENT", "create", True)


def test_run_failed_create_table_retained_after_delete_refuses_naming_it(cloudformation, dynamodb, api_calls,
                                                                         make_recovery):
    """A retained (empty) table survives the delete: the create would collide. Name it, and say that the stack
    was deleted: "Nothing was changed" would be false."""
    history = StackHistory().failed_create("CREATE_FAILED")
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES[:1])
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)  # no deletion policy: the delete should remove it
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 0)
    stub_delete_until_gone(cloudformation, history)
    stub_describe_table(dynamodb.stubber, "ai-chef-sessions", exists=True)
    stub_describe_table(dynamodb.stubber, "ai-chef-results", exists=False)

    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery(template_body=TEAM_TEMPLATE).run()

    assert api_calls == [DESCRIBE, EVENTS, RESOURCES, GET_TEMPLATE, SCAN, DELETE, DESCRIBE, EVENTS, DESCRIBE, TABLE,
                         TABLE]
    assert "table(s) ai-chef-sessions already exist outside it" in e.value.message
    assert "Nothing was changed" not in e.value.message
    assert "delete_if_empty" in e.value.message


# --- UPDATE_ROLLBACK_FAILED: continue the rollback, never delete ----------------------------------------------------
@pytest.mark.parametrize("skip", [[], ["SessionsTableErrorAlarm"]], ids=["no-skip", "skip-alarm"])
@pytest.mark.parametrize("allow_delete", [False, True], ids=["default", "allow-delete"])
def test_run_update_rollback_failed_continues_rollback_never_deletes(skip, allow_delete, cloudformation, dynamodb,
                                                                     api_calls, clock, make_recovery):
    history = StackHistory().successful_create().failed_update("Alarm update failed: invalid metric")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_continue_update_rollback(cloudformation.stubber, resources_to_skip=skip)
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "Continue rollback requested by user")
    stub_settling(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE", history, polls=2)
    # rolled back to the template before the failed update: the deploy still has to apply the new one
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: 3"))

    result = make_recovery(resources_to_skip=skip, allow_delete=allow_delete, template_body=TEAM_TEMPLATE).run()

    assert api_calls == [DESCRIBE, EVENTS, CONTINUE, DESCRIBE, EVENTS, DESCRIBE, EVENTS, DESCRIBE,
                         "cloudformation:GetTemplate"]
    assert outcome(result) == dict(status_before="UPDATE_ROLLBACK_FAILED", phase_before="stuck",
                                   action="continue_update_rollback", status_after="UPDATE_ROLLBACK_COMPLETE",
                                   deploy="update", changed=True)
    assert result["differences"] == ["template"]
    assert clock.sleeps == [1.0, 1.5]
    assert result["failures"][0] == ("SessionsTableErrorAlarm AWS::CloudWatch::Alarm UPDATE_FAILED: "
                                     "Alarm update failed: invalid metric")


def test_run_update_rollback_failed_termination_protected_still_continues(cloudformation, api_calls,
                                                                          make_recovery):
    """Termination protection only blocks deletes."""
    history = StackHistory().failed_update("boom")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_FAILED", termination_protection=True)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_continue_update_rollback(cloudformation.stubber)
    stub_settling(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE", history)
    result = make_recovery().run()
    assert result["status_after"] == "UPDATE_ROLLBACK_COMPLETE"
    assert CONTINUE in api_calls


def test_run_update_rollback_failing_again_refuses_naming_the_blocker_and_the_skip_option(cloudformation, api_calls,
                                                                                          make_recovery):
    """A continued rollback that fails again would fail the same way on every retry (minutes each on AWS): stop
    after one, name the resource it tripped over and the resources_to_skip way past it; never delete."""
    history = StackHistory().successful_create().failed_update("boom")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_continue_update_rollback(cloudformation.stubber)
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_FAILED")
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "Continue rollback requested by user")
    history.resource("AiChefResultsTable", "UPDATE_FAILED", "Index: sessionId-index not found")
    history.stack("UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: [AiChefResultsTable].")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery().run()

    assert api_calls == [DESCRIBE, EVENTS, CONTINUE, DESCRIBE, EVENTS]
    assert "the rollback failed again (AiChefResultsTable AWS::DynamoDB::Table UPDATE_FAILED: Index: sessionId-index " \
           "not found)" in e.value.message
    assert "resources_to_skip: [AiChefResultsTable]" in e.value.message
    assert "Already done in this run: continue_update_rollback" in e.value.message


# --- UPDATE_FAILED: roll back, wait, update -------------------------------------------------------------------------
def test_run_update_failed_rolls_back_then_update(cloudformation, api_calls, clock, make_recovery):
    history = StackHistory().successful_create().failed_update("Alarm update failed", final_status="UPDATE_FAILED")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_rollback_stack(cloudformation.stubber)
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "Rollback requested by user")
    stub_settling(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE", history)

    result = make_recovery().run()

    assert api_calls == [DESCRIBE, EVENTS, ROLLBACK, DESCRIBE, EVENTS, DESCRIBE]
    assert outcome(result) == dict(status_before="UPDATE_FAILED", phase_before="stuck", action="rollback",
                                   status_after="UPDATE_ROLLBACK_COMPLETE", deploy="update", changed=True)
    assert steps(result) == [("rollback", "UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE")]
    assert clock.sleeps == [1.0]


# --- *_IN_PROGRESS: wait, then decide again -------------------------------------------------------------------------
def test_run_busy_statuses_all_have_a_settled_outcome_here():
    assert sorted(SETTLES_TO) == sorted(BUSY)
    assert "REVIEW_IN_PROGRESS" not in BUSY


@pytest.mark.parametrize("status", sorted(set(BUSY) - {"ROLLBACK_IN_PROGRESS"}), ids=str)
def test_run_busy_waits_until_settled_unchanged(status, cloudformation, api_calls, clock, make_recovery):
    settled = SETTLES_TO[status]
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    stub_settling(cloudformation, status, settled)
    # another operation ended well: its last events (after the last busy poll) are read for concurrent_changes
    ended_well = settled in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    if ended_well:
        cfn.stub_describe_stack_events(cloudformation.stubber, [])

    result = make_recovery().run()

    assert api_calls == [DESCRIBE, DESCRIBE, EVENTS, DESCRIBE] + ([EVENTS] if ended_well else [])
    assert outcome(result) == dict(
        status_before=status, phase_before="busy", action="wait", status_after=settled,
        deploy="create" if settled == table.ABSENT_STATUS else "update", changed=False)
    assert steps(result) == [("wait", status, settled)]
    assert clock.sleeps == [1.0]


def test_run_rollback_in_progress_waits_then_deletes_until_absent(cloudformation, dynamodb, api_calls, clock,
                                                                  make_recovery):
    history = StackHistory().failed_create("ROLLBACK_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_IN_PROGRESS")
    stub_settling(cloudformation, "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE", history, polls=3)
    history.resource("AiChefResultsTable", "DELETE_COMPLETE")
    history.stack("ROLLBACK_COMPLETE")
    stub_tables_free(dynamodb)
    stub_delete_until_gone(cloudformation, history)

    result = make_recovery(template_body=TEAM_TEMPLATE).run()

    assert api_calls == [DESCRIBE] + [DESCRIBE, EVENTS] * 3 + [DESCRIBE, TABLE, TABLE, DELETE, DESCRIBE, EVENTS,
                                                               DESCRIBE]
    assert outcome(result) == dict(status_before="ROLLBACK_IN_PROGRESS", phase_before="busy", action="wait",
                                   status_after="ABSENT", deploy="create", changed=True)
    assert steps(result) == [("wait", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"),
                             ("delete", "ROLLBACK_COMPLETE", "ABSENT")]
    assert clock.sleeps == [1.0, 1.5, 2.25, 1.0]  # the second wait starts again from 1 s
    assert result["failures"][0] == TABLE_EXISTS_LINE


def test_run_update_rollback_in_progress_then_failed_continues(cloudformation, api_calls, make_recovery):
    """wait -> UPDATE_ROLLBACK_FAILED -> continue -> UPDATE_ROLLBACK_COMPLETE (the longest recovery)."""
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_IN_PROGRESS")
    stub_settling(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED")
    cfn.stub_continue_update_rollback(cloudformation.stubber)
    stub_settling(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE")
    result = make_recovery().run()
    assert steps(result) == [("wait", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"),
                             ("continue_update_rollback", "UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE")]
    assert (result["action"], result["changed"], result["deploy"]) == ("wait", True, "update")
    assert DELETE not in api_calls


@pytest.mark.parametrize("status", sorted(BUSY), ids=str)
def test_run_busy_no_wait_returns_at_once(status, cloudformation, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    result = make_recovery(wait=False).run()
    assert api_calls == [DESCRIBE]
    assert outcome(result) == dict(status_before=status, phase_before="busy", action="wait", status_after=status,
                                   deploy="update", changed=False)
    assert clock.sleeps == []


def test_run_dead_stack_no_wait_starts_delete_and_returns(cloudformation, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create().newest_first())
    cfn.stub_delete_stack(cloudformation.stubber)
    cfn.stub_describe_stacks(cloudformation.stubber, "DELETE_IN_PROGRESS")
    result = make_recovery(wait=False).run()
    assert api_calls == [DESCRIBE, EVENTS, DELETE, DESCRIBE]
    assert steps(result) == [("delete", "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS")]
    assert (result["status_after"], result["changed"]) == ("DELETE_IN_PROGRESS", True)
    assert clock.sleeps == []


# --- DELETE_FAILED / IMPORT_ROLLBACK_FAILED: a person must look -----------------------------------------------------
def delete_failed_history():
    """An old failed update (stale) before a delete whose table refuses to go; the echo comes first."""
    history = StackHistory().successful_create()
    history.failed_update("Old failure from last month", final_status="UPDATE_ROLLBACK_COMPLETE")
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    history.resource("SessionsTableErrorAlarm", "DELETE_COMPLETE", resource_type=cfn.CLOUDWATCH_ALARM)
    history.resource("AiChefResultsTable", "DELETE_FAILED", "Resource deletion cancelled")
    history.resource("AiChefSessionsTable", "DELETE_FAILED",
                     "Table ai-chef-sessions has deletion protection enabled")
    history.stack("DELETE_FAILED", "The following resource(s) failed to delete: [AiChefResultsTable, "
                                   "AiChefSessionsTable].")
    root = ("AiChefSessionsTable AWS::DynamoDB::Table DELETE_FAILED: "
            "Table ai-chef-sessions has deletion protection enabled")
    return history, root


def import_rollback_failed_history():
    history = StackHistory().successful_create()
    history.stack("IMPORT_IN_PROGRESS", "User Initiated")
    history.resource("AiChefResultsTable", "IMPORT_FAILED", "Resource import cancelled")
    history.resource("LegacyTable", "IMPORT_FAILED", "Table legacy-orders was not found")
    history.stack("IMPORT_ROLLBACK_IN_PROGRESS")
    history.resource("LegacyTable", "IMPORT_ROLLBACK_FAILED", "Access denied")
    history.stack("IMPORT_ROLLBACK_FAILED")
    return history, "LegacyTable AWS::DynamoDB::Table IMPORT_FAILED: Table legacy-orders was not found"


@pytest.mark.parametrize("status, history_and_root", [
    ("DELETE_FAILED", delete_failed_history()),
    ("IMPORT_ROLLBACK_FAILED", import_rollback_failed_history()),
], ids=["DELETE_FAILED", "IMPORT_ROLLBACK_FAILED"])
def test_run_needs_a_person_refuses_root_cause_first_nothing_changed(status, history_and_root, cloudformation,
                                                                     dynamodb, api_calls, make_recovery):
    history, root = history_and_root
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    recovery = make_recovery(template_body=TEAM_TEMPLATE, allow_delete=True)

    with pytest.raises(StackRecoveryRefused) as e:
        recovery.run()

    assert api_calls == [DESCRIBE, EVENTS]
    message = e.value.message
    assert message.startswith("Stack %s is %s: " % (STACK_NAME, status))
    assert "Root cause: %s." % root in message
    assert message.endswith("Nothing was changed.")
    assert "cancelled" not in message
    assert "Old failure" not in message
    failures = recovery.failure_lines()
    assert failures[0] == root
    assert not any("Old failure" in line for line in failures)


# --- termination protection blocks every delete ---------------------------------------------------------------------
@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "ROLLBACK_FAILED", "CREATE_FAILED"])
def test_run_termination_protected_delete_row_refuses_without_delete(status, cloudformation, dynamodb, api_calls,
                                                                     make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status, termination_protection=True)
    cfn.stub_describe_stack_events(cloudformation.stubber, dead_history(status).newest_first())
    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery(template_body=TEAM_TEMPLATE, allow_delete=True).run()
    assert "termination protection is on" in e.value.message
    assert e.value.message.endswith("Nothing was changed.")
    assert api_calls == [DESCRIBE, EVENTS]


# --- check mode: read, report the plan, change nothing --------------------------------------------------------------
def test_run_check_mode_rollback_complete_reads_only_plans_delete(cloudformation, dynamodb, api_calls, clock,
                                                                  make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create().newest_first())
    stub_tables_free(dynamodb)
    result = make_recovery(check_mode=True, template_body=TEAM_TEMPLATE).run()
    assert api_calls == [DESCRIBE, EVENTS, TABLE, TABLE]
    assert outcome(result) == dict(status_before="ROLLBACK_COMPLETE", phase_before="dead", action="delete",
                                   status_after="ROLLBACK_COMPLETE", deploy="create", changed=True)
    assert clock.sleeps == []


def test_run_check_mode_table_outside_still_refuses(cloudformation, dynamodb, make_recovery):
    """Check mode reports what the real run would do, and the real run would refuse."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create().newest_first())
    stub_describe_table(dynamodb.stubber, "ai-chef-sessions", exists=True)
    stub_describe_table(dynamodb.stubber, "ai-chef-results", exists=False)
    with pytest.raises(StackRecoveryRefused, match="ai-chef-sessions already exist"):
        make_recovery(check_mode=True, template_body=TEAM_TEMPLATE).run()


@pytest.mark.parametrize("status, reads, action, deploy", [
    ("REVIEW_IN_PROGRESS", [DESCRIBE, EVENTS], "delete", "create"),
    ("ROLLBACK_FAILED", [DESCRIBE, EVENTS, RESOURCES, GET_TEMPLATE, SCAN, SCAN], "delete_if_empty", "create"),
    ("CREATE_FAILED", [DESCRIBE, EVENTS, RESOURCES, GET_TEMPLATE, SCAN, SCAN], "delete_if_empty", "create"),
    ("UPDATE_ROLLBACK_FAILED", [DESCRIBE, EVENTS], "continue_update_rollback", "update"),
    ("UPDATE_FAILED", [DESCRIBE, EVENTS], "rollback", "update"),
], ids=lambda value: value if isinstance(value, str) and value.isupper() else "")
def test_run_check_mode_mutating_row_reads_only_changed_as_planned(status, reads, action, deploy, cloudformation,
                                                                   dynamodb, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, [])
    if RESOURCES in reads:
        cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES)
        cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
        stub_scan(dynamodb.stubber, "ai-chef-sessions", 0)
        stub_scan(dynamodb.stubber, "ai-chef-results", 0)
    result = make_recovery(check_mode=True).run()
    assert api_calls == reads
    assert set(api_calls) <= READ_OPERATIONS
    assert outcome(result) == dict(status_before=status, phase_before=table.lookup_stack_status(status).phase,
                                   action=action, status_after=status, deploy=deploy, changed=True)
    assert steps(result) == [(action, status, status)]
    assert clock.sleeps == []


def test_run_check_mode_busy_reports_wait_unchanged_no_sleep(cloudformation, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    result = make_recovery(check_mode=True).run()
    assert api_calls == [DESCRIBE]
    assert (result["action"], result["changed"], result["status_after"]) == ("wait", False, "UPDATE_IN_PROGRESS")
    assert clock.sleeps == []


def test_run_check_mode_items_held_refuses_like_real_run(cloudformation, dynamodb, api_calls, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, [])
    cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES[:1])
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 2)
    with pytest.raises(StackRecoveryRefused, match="ai-chef-sessions still hold items"):
        make_recovery(check_mode=True).run()
    assert set(api_calls) <= READ_OPERATIONS


# --- AWS errors surface as CloudFormationError ----------------------------------------------------------------------
def test_run_delete_refused_by_aws_raises_cloudformation_error(cloudformation, api_calls, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, [])
    cfn.stub_delete_stack(cloudformation.stubber, error_code="AccessDenied",
                          error_message="not authorized to perform: cloudformation:DeleteStack")
    with pytest.raises(CloudFormationError) as e:
        make_recovery().run()
    assert e.value.message == "Failed to delete stack %s" % STACK_NAME
    assert api_calls == [DESCRIBE, EVENTS, DELETE]


def test_run_unknown_status_raises_without_acting(cloudformation, api_calls, make_recovery):
    """A status AWS adds later is not guessed at: the run stops at the first read."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_PAUSED")
    with pytest.raises(table.UnknownStackStatusError, match="ROLLBACK_PAUSED"):
        make_recovery(template_body=TEAM_TEMPLATE, allow_delete=True).run()
    assert api_calls == [DESCRIBE]


@pytest.mark.parametrize("status", ["UPDATE_FAILED", "UPDATE_ROLLBACK_FAILED"], ids=str)
def test_run_check_mode_unsettled_stack_never_compares_templates_deploy_update(status, cloudformation, api_calls,
                                                                               make_recovery):
    """A failed update may have stored the failed template: comparing it would report "nothing to deploy"."""
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, [])
    result = make_recovery(check_mode=True, template_body=TEAM_TEMPLATE).run()
    assert "cloudformation:GetTemplate" not in api_calls
    assert (result["deploy"], result["differences"]) == ("update", ["status"])


@pytest.mark.parametrize("policy", ["Retain", "RetainExceptOnCreate"])
def test_run_failed_create_table_kept_by_deletion_policy_refuses_before_any_delete(policy, cloudformation, dynamodb,
                                                                                   api_calls, make_recovery):
    """DeleteStack keeps such a table (RetainExceptOnCreate deletes only in the create's own rollback): deleting
    would strand it outside any stack and the create would collide. Refuse first, even with allow_delete."""
    stored = TEAM_TEMPLATE.replace("  AiChefSessionsTable:\n    Type: AWS::DynamoDB::Table\n",
                                   "  AiChefSessionsTable:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: %s\n"
                                   % policy)
    assert stored != TEAM_TEMPLATE
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create("CREATE_FAILED").newest_first())
    cfn.stub_list_stack_resources(cloudformation.stubber, FAILED_CREATE_RESOURCES)
    cfn.stub_get_template(cloudformation.stubber, stored)

    with pytest.raises(StackRecoveryRefused) as e:
        make_recovery(allow_delete=True).run()

    assert "its table(s) ai-chef-sessions have a deletion policy that keeps them on delete" in e.value.message
    assert e.value.message.endswith("Nothing was changed.")
    assert api_calls == [DESCRIBE, EVENTS, RESOURCES, GET_TEMPLATE]
