# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudFormation drift detection: start it, wait for it (bounded), read what it found.

Drift detection changes no resource: CloudFormation reads each resource and records the differences from the
template on the stack. Each API wrapper is one call, retried; the wait re-checks after 1 s and backs off to at
most 5 s between polls (_common/polling.py), never longer than its timeout.
"""

import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import all_pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_code
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import normalize_stack_drift
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import PollTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_until

# "You can perform drift detection on stacks with the following statuses" (CloudFormation user guide).
DRIFT_DETECTABLE_STATUSES = frozenset(
    ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"])

DETECTION_IN_PROGRESS = "DETECTION_IN_PROGRESS"
DETECTION_COMPLETE = "DETECTION_COMPLETE"
DETECTION_FAILED = "DETECTION_FAILED"  # some resources could not be checked; the others have results
# Our own statuses for a detection that did not run or did not finish.
NOT_RUN = "NOT_RUN"
TIMED_OUT = "TIMED_OUT"

# What an endpoint answers when it does not implement an operation at all (not a permission problem).
NOT_IMPLEMENTED_ERROR_CODES = ["NotImplemented", "NotImplementedException", "InvalidAction",
                               "UnsupportedOperation", "UnknownOperationException"]


class DriftDetectionNotImplemented(CloudFormationError):
    """The endpoint does not implement drift detection."""


def detect_stack_drift(client, stack_name):
    """Start a drift detection; its StackDriftDetectionId."""
    try:
        return call(client.detect_stack_drift, CloudFormationError,
                    "Failed to start drift detection on stack %s" % stack_name,
                    StackName=stack_name)["StackDriftDetectionId"]
    except CloudFormationError as e:
        if error_code(*NOT_IMPLEMENTED_ERROR_CODES)(e.exception):
            raise DriftDetectionNotImplemented(message="The endpoint does not implement DetectStackDrift: %s"
                                               % e.exception, exception=e.exception)
        raise


def describe_stack_drift_detection_status(client, detection_id):
    response = call(client.describe_stack_drift_detection_status, CloudFormationError,
                    "Failed to read drift detection %s" % detection_id, StackDriftDetectionId=detection_id)
    response.pop("ResponseMetadata", None)
    return response


def describe_stack_resource_drifts(client, stack_name):
    """StackResourceDrifts of every page: the latest drift result of each checked resource."""
    return all_pages(client.describe_stack_resource_drifts, "StackResourceDrifts", CloudFormationError,
                     "Failed to read the resource drifts of stack %s" % stack_name, StackName=stack_name)


def not_run(reason):
    """The drift result when no detection ran: no resources, and why."""
    return dict(detection_status=NOT_RUN, detection_status_reason=reason, resources=[])


def run_drift_detection(client, stack_name, stack_status, timeout, sleep=time.sleep, clock=time.monotonic):
    """Detect drift on the stack and return normalize_stack_drift(...) of the result.

    A stack whose status does not allow drift detection, or an endpoint without it, gives not_run(reason).
    A detection still running after timeout seconds gives detection_status TIMED_OUT and no resources.
    """
    if stack_status not in DRIFT_DETECTABLE_STATUSES:
        return not_run("CloudFormation detects drift only on stacks in %s; this one is %s"
                       % (", ".join(sorted(DRIFT_DETECTABLE_STATUSES)), stack_status))
    try:
        detection_id = detect_stack_drift(client, stack_name)
    except DriftDetectionNotImplemented as e:
        return not_run(e.message)
    try:
        status = poll_until(lambda: describe_stack_drift_detection_status(client, detection_id),
                            lambda status: status.get("DetectionStatus") != DETECTION_IN_PROGRESS, timeout,
                            sleep=sleep, clock=clock)
    except PollTimeout as e:
        result = normalize_stack_drift(e.value, [])
        result["detection_status"] = TIMED_OUT
        result["detection_status_reason"] = "drift detection %s still running after %.0f s" % (
            detection_id, e.waited_seconds)
        return result
    return normalize_stack_drift(status, describe_stack_resource_drifts(client, stack_name))
