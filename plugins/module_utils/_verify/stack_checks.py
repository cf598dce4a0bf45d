# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of the stack as a whole: its status, and what drift detection reported for each resource.

drift.py runs the detection on AWS; this file only reads its result, so no AWS call here either.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import ABSENT
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import DETECTION_COMPLETE
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import DETECTION_FAILED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import NOT_RUN


HEALTHY_STACK_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                          "IMPORT_ROLLBACK_COMPLETE")


def stack_status_check(stack_name, stack):
    status = stack.get("stack_status") if stack else "ABSENT"
    expected = "one of " + ", ".join(HEALTHY_STACK_STATUSES)
    if status in HEALTHY_STACK_STATUSES:
        return make_check("stack %s: status" % stack_name, PASS, expected, status)
    return make_check("stack %s: status" % stack_name, FAIL, expected, status,
                      "the stack does not exist" if not stack else stack.get("stack_status_reason") or "")


def drift_difference(drift):
    """{property path: value} on each side of a MODIFIED resource."""
    expected, actual = {}, {}
    for difference in drift.get("property_differences") or []:
        path = difference.get("property_path")
        expected[path] = difference.get("expected_value")
        actual[path] = difference.get("actual_value") if difference.get("difference_type") != "REMOVE" else ABSENT
    return expected, actual


def drift_checks(stack_name, deployed):
    drift = deployed.drift
    if drift is None:
        return []
    label = "stack %s: drift detection" % stack_name
    status = drift.get("detection_status")
    reason = drift.get("detection_status_reason") or ""
    if status == NOT_RUN:
        return [make_check(label, UNSUPPORTED, DETECTION_COMPLETE, status, reason)]
    if status not in (DETECTION_COMPLETE, DETECTION_FAILED):
        return [make_check(label, FAIL, DETECTION_COMPLETE, status, reason)]
    checks = []
    if status == DETECTION_FAILED:
        checks.append(make_check(label, UNSUPPORTED, DETECTION_COMPLETE, status,
                                 "some resources could not be checked: %s" % reason))
    for logical_id in deployed.resources:
        name = "resource %s: drift" % logical_id
        result = deployed.drifts.get(logical_id)
        if result is None:
            checks.append(make_check(name, UNSUPPORTED, "IN_SYNC", "not reported",
                                     "the endpoint's drift detection did not report this resource"))
            continue
        resource_status = result.get("stack_resource_drift_status")
        if resource_status == "IN_SYNC":
            checks.append(make_check(name, PASS, "IN_SYNC", resource_status))
        elif resource_status == "MODIFIED":
            expected, actual = drift_difference(result)
            checks.append(make_check(name, FAIL, expected, actual, "changed outside CloudFormation"))
        elif resource_status == "DELETED":
            checks.append(make_check(name, FAIL, "IN_SYNC", resource_status, "deleted outside CloudFormation"))
        else:
            checks.append(make_check(name, UNSUPPORTED, "IN_SYNC", resource_status,
                                     result.get("drift_status_reason") or
                                     "CloudFormation does not check this resource type for drift"))
    return checks
