# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions over CloudFormation StackEvents: keep one operation's events, find the root cause."""

# A stack-level event in one of these statuses starts an operation a user (or this collection) asked for.
OPERATION_START_STATUSES = frozenset(
    ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS"])

# When one resource fails, CloudFormation cancels its siblings and logs them as FAILED too; those echoes hide
# the real cause, so they never count as the root cause.
CANCELLATION_MARKERS = ("cancelled", "canceled")


def normalize_event(event):
    """boto3 StackEvent -> snake_case dict with a string timestamp."""
    timestamp = event.get("Timestamp")
    return dict(
        timestamp=timestamp.isoformat() if hasattr(timestamp, "isoformat") else timestamp,
        event_id=event.get("EventId"),
        logical_resource_id=event.get("LogicalResourceId"),
        physical_resource_id=event.get("PhysicalResourceId"),
        resource_type=event.get("ResourceType"),
        resource_status=event.get("ResourceStatus"),
        resource_status_reason=event.get("ResourceStatusReason"),
    )


def is_stack_event(event, stack_name):
    return event["resource_type"] == "AWS::CloudFormation::Stack" and event["logical_resource_id"] == stack_name


def is_operation_start(event, stack_name):
    return is_stack_event(event, stack_name) and event["resource_status"] in OPERATION_START_STATUSES


def last_operation_events(events_newest_first, stack_name):
    """Events of the most recent operation, oldest first.

    CloudFormation lists events newest first and keeps every operation's history; only the last operation
    explains the current status.
    """
    operation = []
    for event in events_newest_first:
        operation.append(event)
        if is_operation_start(event, stack_name):
            break
    operation.reverse()
    return operation


def is_failure(event):
    return (event["resource_status"] or "").endswith("_FAILED")


def is_cancellation_echo(event):
    reason = (event["resource_status_reason"] or "").lower()
    return any(marker in reason for marker in CANCELLATION_MARKERS)


def failures_root_cause_first(events_oldest_first, stack_name):
    """All *_FAILED events, the root cause first, the rest in the order they happened.

    The root cause is the earliest failure of a resource (not the stack itself) that is not a cancellation
    echo; a stack-level failure only stands in when no resource failed.
    """
    failures = [event for event in events_oldest_first if is_failure(event)]
    candidates = [event for event in failures if not is_cancellation_echo(event)]
    resource_candidates = [event for event in candidates if not is_stack_event(event, stack_name)]
    root = (resource_candidates or candidates or [None])[0]
    if root is None:
        return failures
    return [root] + [event for event in failures if event is not root]


def format_event(event):
    """One line per event, the way a person reads a deploy log."""
    line = "%s %s %s" % (event["logical_resource_id"], event["resource_type"], event["resource_status"])
    if event.get("resource_status_reason"):
        line += ": %s" % event["resource_status_reason"]
    return line


def resource_failures_since(events_oldest_first, stack_name, stack_status):
    """Resource failures after the last stack-level event in stack_status (e.g. the failures of the latest
    UPDATE_ROLLBACK_IN_PROGRESS: what a continued rollback tripped over)."""
    starts = [position for position, event in enumerate(events_oldest_first)
              if is_stack_event(event, stack_name) and event["resource_status"] == stack_status]
    since = events_oldest_first[starts[-1] + 1:] if starts else events_oldest_first
    return [event for event in since if is_failure(event) and not is_stack_event(event, stack_name)]
