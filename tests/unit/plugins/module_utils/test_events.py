"""events.py: pure functions over StackEvents (no stubs needed)."""
import datetime

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import failures_root_cause_first
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import format_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import last_operation_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import normalize_event
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_TYPE
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import TABLE_EXISTS_LINE


def normalized(history):
    """What describe_stack_events returns: normalized events, newest first."""
    return [normalize_event(event) for event in history.newest_first()]


def ids(events):
    return [event["event_id"] for event in events]


class TestNormalizeEvent:
    def test_normalize_event_full_event_snake_case_iso_timestamp(self):
        """boto3 keys become snake_case and the datetime an ISO string (JSON-safe for exit_json)."""
        raw = StackHistory().resource("AiChefSessionsTable", "CREATE_FAILED", "boom", physical_id="ai-chef-sessions")
        assert normalize_event(raw) == dict(
            timestamp="2026-11-25T08:00:01+00:00",
            event_id="AiChefSessionsTable-0001",
            logical_resource_id="AiChefSessionsTable",
            physical_resource_id="ai-chef-sessions",
            resource_type="AWS::DynamoDB::Table",
            resource_status="CREATE_FAILED",
            resource_status_reason="boom",
        )

    def test_normalize_event_missing_keys_become_none(self):
        """Optional keys absent from the API answer are None, not KeyError."""
        event = normalize_event({"EventId": "e1", "Timestamp": datetime.datetime(2026, 1, 1)})
        assert event["resource_status_reason"] is None
        assert event["timestamp"] == "2026-01-01T00:00:00"


class TestLastOperationEvents:
    def test_last_operation_events_two_operations_keeps_only_last_oldest_first(self):
        """A failed update after a good create: only the update explains UPDATE_ROLLBACK_FAILED."""
        history = StackHistory().successful_create()
        create_ids = [event["EventId"] for event in history.events]
        history.failed_update("Alarm update failed")
        update_ids = [event["EventId"] for event in history.events if event["EventId"] not in create_ids]

        events = last_operation_events(normalized(history), STACK_NAME)

        assert ids(events) == update_ids
        assert (events[0]["resource_status"], events[0]["logical_resource_id"]) == ("UPDATE_IN_PROGRESS", STACK_NAME)
        assert events[-1]["resource_status"] == "UPDATE_ROLLBACK_FAILED"

    def test_last_operation_events_rollback_statuses_do_not_cut(self):
        """ROLLBACK_IN_PROGRESS belongs to the create it rolls back: the cut is at CREATE_IN_PROGRESS."""
        history = StackHistory().failed_create("ROLLBACK_COMPLETE")
        events = last_operation_events(normalized(history), STACK_NAME)
        assert ids(events) == [event["EventId"] for event in history.events]

    def test_last_operation_events_delete_after_create_cuts_at_delete(self):
        history = StackHistory().failed_create("ROLLBACK_COMPLETE")
        start = history.stack("DELETE_IN_PROGRESS", "User Initiated")
        history.stack("DELETE_FAILED", "The following resource(s) failed to delete: [X].")
        events = last_operation_events(normalized(history), STACK_NAME)
        assert ids(events)[0] == start["EventId"]
        assert len(events) == 2

    def test_last_operation_events_import_start_cuts(self):
        history = StackHistory().successful_create()
        start = history.stack("IMPORT_IN_PROGRESS", "User Initiated")
        history.stack("IMPORT_ROLLBACK_FAILED")
        assert ids(last_operation_events(normalized(history), STACK_NAME))[0] == start["EventId"]

    def test_last_operation_events_resource_and_nested_stack_starts_do_not_cut(self):
        """Only the stack's own start event cuts: a resource's or a nested stack's CREATE_IN_PROGRESS does not."""
        history = StackHistory()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        history.resource("NestedTables", "CREATE_IN_PROGRESS", resource_type=STACK_TYPE)
        history.resource("AiChefSessionsTable", "UPDATE_IN_PROGRESS")
        history.resource("AiChefResultsTable", "CREATE_IN_PROGRESS")
        events = last_operation_events(normalized(history), STACK_NAME)
        assert len(events) == 4
        assert events[0]["logical_resource_id"] == STACK_NAME

    def test_last_operation_events_no_start_event_returns_all_oldest_first(self):
        """A truncated history (the start is beyond the pages read): everything read, oldest first."""
        history = StackHistory()
        history.resource("AiChefSessionsTable", "DELETE_COMPLETE")
        history.stack("ROLLBACK_COMPLETE")
        assert ids(last_operation_events(normalized(history), STACK_NAME)) == [e["EventId"] for e in history.events]

    def test_last_operation_events_other_stack_name_does_not_cut(self):
        """Matching is on this stack's name: another name's start event is just an event."""
        history = StackHistory().successful_create()
        assert len(last_operation_events(normalized(history), "other-stack")) == len(history.events)

    def test_last_operation_events_empty_returns_empty(self):
        assert last_operation_events([], STACK_NAME) == []


class TestFailuresRootCauseFirst:
    def test_failures_root_cause_first_cancellation_echo_earlier_root_cause_moves_first(self):
        """The echo "Resource creation cancelled" is logged before the real failure: it is never the root cause."""
        history = StackHistory()
        history.stack("CREATE_IN_PROGRESS", "User Initiated")
        history.resource("AiChefResultsTable", "CREATE_FAILED", "Resource creation cancelled")
        root = history.resource("AiChefSessionsTable", "CREATE_FAILED", "Table already exists: ai-chef-sessions")
        history.resource("DynamoDBLogGroup", "CREATE_FAILED", "Resource creation canceled",
                         resource_type="AWS::Logs::LogGroup")
        history.stack("CREATE_FAILED", "The following resource(s) failed to create: [...]")
        events = [normalize_event(event) for event in history.events]

        failures = failures_root_cause_first(events, STACK_NAME)

        assert failures[0]["event_id"] == root["EventId"]
        # the rest keep the order they happened in
        assert [f["logical_resource_id"] for f in failures[1:]] == [
            "AiChefResultsTable", "DynamoDBLogGroup", STACK_NAME]

    def test_failures_root_cause_first_earliest_real_failure_wins(self):
        """Two real failures: the earlier one is the root cause (the later may be a consequence)."""
        history = StackHistory()
        first = history.resource("SessionsTableErrorAlarm", "UPDATE_FAILED", "Invalid metric",
                                 resource_type="AWS::CloudWatch::Alarm")
        history.resource("AiChefSessionsTable", "UPDATE_FAILED", "Throughput exceeded")
        events = [normalize_event(event) for event in history.events]
        assert failures_root_cause_first(events, STACK_NAME)[0]["event_id"] == first["EventId"]

    def test_failures_root_cause_first_stack_failure_only_when_no_resource_failed(self):
        """A stack-level failure stands in only while no resource failed; once one did, the resource comes first."""
        history = StackHistory()
        stack_failure = history.stack("UPDATE_ROLLBACK_FAILED", "Role arn:aws:iam::1:role/x is invalid")
        events = [normalize_event(event) for event in history.events]
        assert failures_root_cause_first(events, STACK_NAME)[0]["event_id"] == stack_failure["EventId"]

        resource_failure = history.resource("AiChefSessionsTable", "UPDATE_FAILED", "Access denied")
        events = [normalize_event(event) for event in history.events]
        failures = failures_root_cause_first(events, STACK_NAME)
        assert [f["event_id"] for f in failures] == [resource_failure["EventId"], stack_failure["EventId"]]

    def test_failures_root_cause_first_nested_stack_failure_counts_as_resource(self):
        """A nested stack is a resource of this stack: its failure can be the root cause."""
        history = StackHistory()
        history.resource("Tables", "CREATE_FAILED", "Resource creation cancelled", resource_type=STACK_TYPE)
        nested = history.resource("Tables", "CREATE_FAILED", "Embedded stack failed: table exists",
                                  resource_type=STACK_TYPE)
        history.stack("CREATE_FAILED", "The following resource(s) failed to create: [Tables].")
        events = [normalize_event(event) for event in history.events]
        assert failures_root_cause_first(events, STACK_NAME)[0]["event_id"] == nested["EventId"]

    def test_failures_root_cause_first_only_echoes_keeps_order(self):
        history = StackHistory()
        history.resource("A", "CREATE_FAILED", "Resource creation cancelled")
        history.resource("B", "CREATE_FAILED", "Resource creation cancelled")
        events = [normalize_event(event) for event in history.events]
        assert [f["logical_resource_id"] for f in failures_root_cause_first(events, STACK_NAME)] == ["A", "B"]

    def test_failures_root_cause_first_no_failures_returns_empty(self):
        history = StackHistory().successful_create()
        events = [normalize_event(event) for event in history.events]
        assert failures_root_cause_first(events, STACK_NAME) == []

    def test_failures_root_cause_first_skips_non_failed_statuses(self):
        """Only *_FAILED counts; a COMPLETE event whose reason says "cancelled" is not a failure."""
        history = StackHistory()
        history.resource("A", "UPDATE_COMPLETE", "cancelled by user")
        failed = history.resource("B", "DELETE_FAILED", "Table has deletion protection enabled")
        history.resource("C", "UPDATE_IN_PROGRESS")
        events = [normalize_event(event) for event in history.events]
        assert [f["event_id"] for f in failures_root_cause_first(events, STACK_NAME)] == [failed["EventId"]]


class TestFormatEvent:
    def test_format_event_with_reason_one_line(self):
        history = StackHistory().failed_create()
        root = normalize_event(history.events[3])
        assert format_event(root) == TABLE_EXISTS_LINE

    def test_format_event_without_reason_no_colon(self):
        event = normalize_event(StackHistory().stack("ROLLBACK_COMPLETE"))
        assert format_event(event) == "%s AWS::CloudFormation::Stack ROLLBACK_COMPLETE" % STACK_NAME
