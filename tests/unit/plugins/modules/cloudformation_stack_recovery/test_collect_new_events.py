"""StackRecovery.collect_new_events(): the progress a person watching a wait would see.

Only the running operation, oldest first; then, on each poll, only what is newer than the newest event seen.
Older history on the same page must not leak in: it would break the order and could put a months-old
failure forward as the root cause.
"""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import last_operation_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import normalize_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import StackRecoveryRefused
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory


OLD_FAILURE = "Old failure from last month"


def event_ids(events):
    return [event["event_id"] for event in events]


def raw_ids(raw_events):
    return [event["EventId"] for event in raw_events]


def test_collect_new_events_first_poll_keeps_current_operation_only(cloudformation, make_recovery):
    history = StackHistory().successful_create()
    history.failed_update(OLD_FAILURE, final_status="UPDATE_ROLLBACK_COMPLETE")
    before = len(history.events)
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefSessionsTable", "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    recovery = make_recovery()

    recovery.collect_new_events("UPDATE_IN_PROGRESS")

    assert event_ids(recovery.events) == raw_ids(history.events[before:])


def test_collect_new_events_later_poll_appends_only_newer_in_order(cloudformation, make_recovery):
    history = StackHistory().successful_create().failed_update("Alarm update failed")
    recovery = make_recovery()
    recovery.events = last_operation_events([normalize_event(e) for e in history.newest_first()], STACK_NAME)
    seen = event_ids(recovery.events)
    before = len(history.events)
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "Continue rollback requested by user")
    history.resource("SessionsTableErrorAlarm", "UPDATE_COMPLETE", resource_type=cfn.CLOUDWATCH_ALARM)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())  # the page holds it all

    recovery.collect_new_events("UPDATE_ROLLBACK_IN_PROGRESS")

    assert event_ids(recovery.events) == seen + raw_ids(history.events[before:])
    timestamps = [event["timestamp"] for event in recovery.events]
    assert timestamps == sorted(timestamps)


def test_collect_new_events_nothing_new_adds_nothing(cloudformation, make_recovery):
    history = StackHistory().failed_create()
    recovery = make_recovery()
    recovery.events = [normalize_event(e) for e in history.events]
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    recovery.collect_new_events()
    assert event_ids(recovery.events) == raw_ids(history.events)


def test_collect_new_events_stack_gone_adds_nothing(cloudformation, make_recovery):
    recovery = make_recovery()
    cfn.stub_describe_stack_events(cloudformation.stubber, [], error_code="ValidationError",
                                   error_message="Stack [%s] does not exist" % STACK_NAME)
    recovery.collect_new_events()
    assert recovery.events == []


def test_collect_new_events_busy_then_delete_failed_root_cause_is_current(cloudformation, api_calls,
                                                                          make_recovery):
    """Through run(): a stack found DELETE_IN_PROGRESS ends DELETE_FAILED; the refusal names the delete's
    failure, not an older failure that happens to be on the same page of events."""
    history = StackHistory().successful_create()
    history.failed_update(OLD_FAILURE, final_status="UPDATE_ROLLBACK_COMPLETE")
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefSessionsTable", "DELETE_FAILED",
                     "Table ai-chef-sessions has deletion protection enabled")
    cfn.stub_describe_stacks(cloudformation.stubber, "DELETE_IN_PROGRESS")
    cfn.stub_describe_stacks(cloudformation.stubber, "DELETE_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    cfn.stub_describe_stacks(cloudformation.stubber, "DELETE_FAILED")
    recovery = make_recovery()

    with pytest.raises(StackRecoveryRefused) as e:
        recovery.run()

    root = ("AiChefSessionsTable AWS::DynamoDB::Table DELETE_FAILED: "
            "Table ai-chef-sessions has deletion protection enabled")
    assert "Root cause: %s." % root in e.value.message
    assert OLD_FAILURE not in e.value.message
    assert recovery.failure_lines() == [root]
    assert recovery.events[0]["resource_status"] == "DELETE_IN_PROGRESS"


def test_collect_new_events_first_poll_reads_back_to_the_operation_start(cloudformation, api_calls, make_recovery):
    """The running operation's start lies on the third page of 40: the pages are read back to it, no further."""
    history = StackHistory().successful_create()
    history.failed_update(OLD_FAILURE, final_status="UPDATE_ROLLBACK_COMPLETE")
    before = len(history.events)
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    for number in range(90):
        history.resource("Alarm%03d" % number, "DELETE_COMPLETE", resource_type=cfn.CLOUDWATCH_ALARM)
    cfn.stub_stack_event_pages(cloudformation.stubber, history.newest_first(), page_size=40, pages=3)
    recovery = make_recovery()

    recovery.collect_new_events("DELETE_IN_PROGRESS")

    assert event_ids(recovery.events) == raw_ids(history.events[before:])
    assert api_calls == ["cloudformation:DescribeStackEvents"] * 3


def test_collect_new_events_later_poll_reads_back_to_the_newest_seen(cloudformation, api_calls, make_recovery):
    """60 events since the last poll, pages of 25: three pages are read, none is skipped, none repeated."""
    history = StackHistory()
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    recovery = make_recovery()
    recovery.events = [normalize_event(event) for event in history.events]
    for number in range(60):
        history.resource("Alarm%03d" % number, "DELETE_COMPLETE", resource_type=cfn.CLOUDWATCH_ALARM)
    cfn.stub_stack_event_pages(cloudformation.stubber, history.newest_first(), page_size=25, pages=3)

    recovery.collect_new_events("DELETE_IN_PROGRESS")

    assert event_ids(recovery.events) == raw_ids(history.events)
    assert api_calls == ["cloudformation:DescribeStackEvents"] * 3
