"""StackRecovery concurrent_changes: what another operation changed while this run waited for it.

A deploy planned while someone else's update was running would otherwise silently revert that update; the plan
(cloudformation_change_plan) refuses to change these resources again. Only an operation that ended well changed
anything; without a wait, or in check mode (which never waits), there is nothing to report.
"""
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_recovery as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import run_module_main
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE


DESCRIBE, EVENTS = "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"
LOGS_LOG_GROUP = "AWS::Logs::LogGroup"


def another_update_started():
    """A created stack (its sessions table: history, not the waited operation), then someone else's update."""
    history = StackHistory().successful_create()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    return history


def finish_update(history):
    """The rest of the other update: the results table and the log group change, then the stack completes."""
    history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
    history.resource("AiChefResultsTable", "UPDATE_COMPLETE", physical_id="ai-chef-results")
    history.resource("DynamoDBLogGroup", "UPDATE_COMPLETE", resource_type=LOGS_LOG_GROUP,
                     physical_id="/aws/dynamodb/ai-chef-tables")
    history.stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    history.stack("UPDATE_COMPLETE")
    return history


def test_update_that_ends_complete_lists_its_resources(cloudformation, api_calls, clock, make_recovery):
    history = another_update_started()
    history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")  # the wait's first look: busy
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    history.resource("AiChefResultsTable", "UPDATE_COMPLETE", physical_id="ai-chef-results")
    history.resource("DynamoDBLogGroup", "UPDATE_COMPLETE", resource_type=LOGS_LOG_GROUP)
    history.stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    history.stack("UPDATE_COMPLETE")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    result = make_recovery().run()

    assert (result["action"], result["status_after"], result["deploy"]) == ("wait", "UPDATE_COMPLETE", "update")
    # the resources of the waited operation: not the stack itself, not the sessions table of the older create
    assert result["concurrent_changes"] == ["AiChefResultsTable", "DynamoDBLogGroup"]
    assert clock.sleeps == [1.0, 1.5]


def test_resources_that_change_after_the_last_busy_look_are_listed(cloudformation, api_calls, clock,
                                                                   make_recovery):
    """The wait saw the update start and nothing else; the stack then reads UPDATE_COMPLETE. The update's
    resource events came between the two looks: they are read once it has ended, not lost."""
    history = another_update_started()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    finish_update(history)
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    result = make_recovery().run()

    assert result["concurrent_changes"] == ["AiChefResultsTable", "DynamoDBLogGroup"]
    assert api_calls == [DESCRIBE, DESCRIBE, EVENTS, DESCRIBE, EVENTS]
    assert [event["resource_status"] for event in result["events"]][-2:] == [
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]


def test_update_over_by_the_waits_first_look_is_still_read(cloudformation, api_calls, clock, make_recovery):
    """Busy when first read, done at the wait's first look (no busy poll, so no events read during the wait)."""
    history = finish_update(another_update_started())
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    result = make_recovery().run()

    assert result["concurrent_changes"] == ["AiChefResultsTable", "DynamoDBLogGroup"]
    assert (api_calls, clock.sleeps) == ([DESCRIBE, DESCRIBE, EVENTS], [])


def test_someone_elses_create_that_ends_complete_lists_what_it_created(cloudformation, clock, make_recovery):
    history = StackHistory()
    history.stack("CREATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefSessionsTable", "CREATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    history.resource("AiChefSessionsTable", "CREATE_COMPLETE", physical_id="ai-chef-sessions")
    history.resource("SessionsTableErrorAlarm", "CREATE_COMPLETE", resource_type=CLOUDWATCH_ALARM)
    history.stack("CREATE_COMPLETE")
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    result = make_recovery().run()

    assert (result["status_after"], result["deploy"]) == ("CREATE_COMPLETE", "update")
    assert result["concurrent_changes"] == ["AiChefSessionsTable", "SessionsTableErrorAlarm"]


def test_update_that_rolls_back_changed_nothing(cloudformation, api_calls, clock, make_recovery):
    history = StackHistory().successful_create()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_IN_PROGRESS")
    history.resource("SessionsTableErrorAlarm", "UPDATE_FAILED", "Property Threshold cannot be negative",
                     resource_type=CLOUDWATCH_ALARM)
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS")
    history.resource("SessionsTableErrorAlarm", "UPDATE_COMPLETE", resource_type=CLOUDWATCH_ALARM)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    history.stack("UPDATE_ROLLBACK_COMPLETE")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_COMPLETE")

    result = make_recovery().run()

    assert (result["action"], result["status_after"]) == ("wait", "UPDATE_ROLLBACK_COMPLETE")
    assert result["concurrent_changes"] == []
    assert api_calls == [DESCRIBE, DESCRIBE, EVENTS, DESCRIBE]  # no events read for it


@pytest.mark.parametrize("status", ["UPDATE_COMPLETE", "CREATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"])
def test_settled_stack_without_wait_reports_nothing(status, cloudformation, api_calls, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, status)

    result = make_recovery().run()

    assert (result["actions"], result["concurrent_changes"]) == ([], [])
    assert api_calls == [DESCRIBE]


def test_wait_false_on_a_busy_stack_reports_nothing(cloudformation, api_calls, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")

    result = make_recovery(wait=False).run()

    assert (result["action"], result["status_after"], result["concurrent_changes"]) == (
        "wait", "UPDATE_IN_PROGRESS", [])
    assert api_calls == [DESCRIBE]


def test_check_mode_reports_nothing(cloudformation, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")

    result = make_recovery(check_mode=True).run()

    assert (result["action"], result["concurrent_changes"]) == ("wait", [])
    assert (api_calls, clock.sleeps) == ([DESCRIBE], [])


def test_check_mode_is_never_a_concurrent_change_even_after_a_wait(cloudformation, make_recovery):
    """concurrent_changes() itself: a check-mode run that recorded a wait reports nothing (it waited for nothing)."""
    history = finish_update(another_update_started())
    recovery = make_recovery(check_mode=True)
    recovery.actions = [dict(action="wait", status_before="UPDATE_IN_PROGRESS", status_after="UPDATE_COMPLETE")]
    recovery.events = [dict(logical_resource_id=event["LogicalResourceId"], resource_type=event["ResourceType"],
                            resource_status=event["ResourceStatus"]) for event in history.events]

    assert recovery.concurrent_changes("UPDATE_COMPLETE") == []


@pytest.fixture
def requested_clients(monkeypatch, cloudformation, dynamodb):
    return patch_aws_client_with_stubs(monkeypatch, cloudformation=cloudformation, dynamodb=dynamodb)


def test_main_returns_concurrent_changes_documented(capsys, cloudformation, requested_clients, api_calls):
    """The role passes it on to the plan; GetTemplate (the differences) reads the template the other update left."""
    history = finish_update(another_update_started())
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE.replace("RetentionInDays: 7", "RetentionInDays: 14"))
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    rc, result = run_module_main(module.main, capsys, stack_name=STACK_NAME, region="us-east-1",
                                 template_body=TEAM_TEMPLATE)

    assert rc == 0
    assert "concurrent_changes" in yaml.safe_load(module.RETURN)
    assert (result["deploy"], result["differences"]) == ("update", ["template"])
    assert result["concurrent_changes"] == ["AiChefResultsTable", "DynamoDBLogGroup"]
