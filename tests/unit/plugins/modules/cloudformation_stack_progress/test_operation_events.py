"""operation_events(): the events of the operation started after the event after_event_id, cut at its start; [] before
it starts."""
import datetime

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import normalize_event
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory


def normalized(history):
    """What describe_stack_events returns: normalized events, newest first."""
    return [normalize_event(event) for event in history.newest_first()]


def after_event_id(history):
    """The plan's last_event_id: the id of the newest event before the new operation (call it before adding those)."""
    return history.events[-1]["EventId"]


def ids(events):
    return [event["event_id"] for event in events]


def test_operation_events_only_previous_operation_tail_returns_empty():
    """The previous operation's events, its start included, are history: no new operation has started."""
    history = StackHistory().successful_create()
    assert module.operation_events(normalized(history), STACK_NAME, after_event_id(history)) == []


def test_operation_events_new_operation_cuts_at_its_start():
    history = StackHistory().successful_create()
    newest = after_event_id(history)
    start = history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    running = history.resource("AiChefSessionsTable", "UPDATE_IN_PROGRESS")

    events = module.operation_events(normalized(history), STACK_NAME, newest)

    assert ids(events) == [start["EventId"], running["EventId"]]  # oldest first, nothing of the create


def test_operation_events_older_operations_before_after_event_id_are_history():
    """create, then an update (the previous operation, ending at after_event_id), then a new update: only the new one
    counts."""
    history = StackHistory().successful_create()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE")
    first = len(history.events)
    newest = after_event_id(history)
    history.failed_update("Alarm update failed", final_status="UPDATE_ROLLBACK_COMPLETE")

    events = module.operation_events(normalized(history), STACK_NAME, newest)

    assert ids(events) == [event["EventId"] for event in history.events[first:]]
    assert events[-1]["resource_status"] == "UPDATE_ROLLBACK_COMPLETE"


def test_operation_events_no_after_event_id_returns_first_create():
    """The stack did not exist before the deploy: every event belongs to the create."""
    history = StackHistory()
    history.stack("CREATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefSessionsTable", "CREATE_IN_PROGRESS")
    assert ids(module.operation_events(normalized(history), STACK_NAME, "")) == ids(normalized(history))[::-1]


def test_operation_events_no_events_returns_empty():
    assert module.operation_events([], STACK_NAME, "") == []


def test_operation_events_resource_start_is_not_an_operation_start():
    """Only the stack's own *_IN_PROGRESS start event starts an operation."""
    history = StackHistory().successful_create()
    newest = after_event_id(history)
    history.resource("AiChefSessionsTable", "UPDATE_IN_PROGRESS")
    assert module.operation_events(normalized(history), STACK_NAME, newest) == []


def test_operation_events_previous_start_stamped_after_last_updated_time_returns_empty_until_new_start():
    """The ms skew: CloudFormation stamps an operation's start event a few ms after the stack's LastUpdatedTime, so a
    cut at that time took the previous operation for the new one. The event ids put it wholly before
    after_event_id: nothing counts until the new operation's own start event appears."""
    history = StackHistory().successful_create()
    previous_start = history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    last_updated_time = previous_start["Timestamp"]
    previous_start["Timestamp"] = last_updated_time + datetime.timedelta(milliseconds=85)
    history.resource("AiChefResultsTable", "UPDATE_COMPLETE", physical_id="ai-chef-results")
    history.stack("UPDATE_COMPLETE")
    newest = after_event_id(history)
    # the premise: by time, the previous operation's start is newer than its LastUpdatedTime
    assert normalize_event(previous_start)["timestamp"] > last_updated_time.isoformat()

    assert module.operation_events(normalized(history), STACK_NAME, newest) == []

    start = history.stack("UPDATE_IN_PROGRESS", "User Initiated")

    assert ids(module.operation_events(normalized(history), STACK_NAME, newest)) == [start["EventId"]]
