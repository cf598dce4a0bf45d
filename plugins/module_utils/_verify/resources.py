# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the checks of every resource type share, and the check of a type without its own.

DeployedStack indexes the live stack by logical id for every check. The endpoint-gap rule (documented in
verification.py's module docstring) is decided here once, in property_check, so that a table property and a log
group's retention are judged by the same evidence. as_bool and as_number read template values the way
CloudFormation does.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import Unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import resolution_context
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import ABSENT
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import NOT_IN_STACK
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import compare
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import DETECTION_COMPLETE
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import DETECTION_FAILED


# Resource statuses in which CloudFormation claims to have applied the template to the resource.
APPLIED_RESOURCE_STATUSES = frozenset(["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"])
# Resource drift statuses that come with ExpectedProperties.
COMPARED_DRIFT_STATUSES = frozenset(["IN_SYNC", "MODIFIED"])

ENDPOINT_GAP_REASON = ("the endpoint ignores %s: its drift detection's ExpectedProperties leave it out, the "
                       "resource is %s and the live value is the service default (on AWS this is a fail)")


class DeployedStack:
    """gather_stack_info(...) and the drift result, indexed by logical id, plus what intrinsics resolve to."""

    def __init__(self, info, drift):
        self.stack = info["stack"]
        self.resources = dict((r["logical_resource_id"], r) for r in self.stack.get("resources") or [])
        self.tables = dict((t["logical_resource_id"], t) for t in info.get("tables") or [])
        self.alarms = dict((a["logical_resource_id"], a) for a in info.get("alarms") or [])
        self.log_groups = dict((g["logical_resource_id"], g) for g in info.get("log_groups") or [])
        self.drift = drift
        self.drifts = dict((d["logical_resource_id"], d) for d in (drift or {}).get("resources") or [])
        self.context = resolution_context(info)

    def resource_status(self, logical_id):
        return (self.resources.get(logical_id) or {}).get("resource_status")


def endpoint_dropped_property(deployed, logical_id, property_name):
    """The endpoint-gap rule, conditions 2-4 (see verification.py's module docstring); condition 1 is the caller's."""
    if deployed.resource_status(logical_id) not in APPLIED_RESOURCE_STATUSES:
        return False
    if not deployed.drift or deployed.drift.get("detection_status") not in (DETECTION_COMPLETE, DETECTION_FAILED):
        return False
    drift = deployed.drifts.get(logical_id)
    if not drift or drift.get("stack_resource_drift_status") not in COMPARED_DRIFT_STATUSES:
        return False
    expected_properties = drift.get("expected_properties")
    return isinstance(expected_properties, dict) and bool(expected_properties) \
        and property_name not in expected_properties


def property_check(name, deployed, logical_id, property_name, expected, actual, default):
    """compare(), except that a live default the endpoint provably never changed is unsupported, not failed."""
    if expected != actual and actual == default and endpoint_dropped_property(deployed, logical_id, property_name):
        return make_check(name, UNSUPPORTED, expected, actual,
                          ENDPOINT_GAP_REASON % (property_name, deployed.resource_status(logical_id)))
    return compare(name, expected, actual)


def resource_exists_check(label, deployed, logical_id, live):
    """live: the normalised table/alarm/log group, or None when the stack has no such resource."""
    if logical_id not in deployed.resources:
        return compare(label + ": exists", "present", NOT_IN_STACK,
                       "the template declares %s, the stack has no resource of that logical id (was it deployed "
                       "from another declaration?)" % logical_id)
    if live is None:
        return compare(label + ": exists", "present", NOT_IN_STACK)
    return compare(label + ": exists", "present", "present" if live.get("exists") else ABSENT)


def conditional_not_deployed(label, resource):
    return make_check(label + ": deployed", UNSUPPORTED, "deployed if Condition %s holds" % resource.get("Condition"),
                      NOT_IN_STACK, "this verifier does not evaluate template Conditions")


def named_resource(kind, logical_id, resource, live, name_property, live_name_key, deployed):
    """(properties, declared name, label, existence check) of a resource that the template may name.

    The label uses the live name, else the declared one, else the logical id: a report line must say which
    table or log group it is about even when the name is computed or the resource is missing.
    """
    properties = resource.get("Properties") or {}
    declared_name, dummy = try_resolve(properties.get(name_property), deployed.context)
    label = "%s %s" % (kind, (live or {}).get(live_name_key) or declared_name or logical_id)
    return properties, declared_name, label, resource_exists_check(label, deployed, logical_id, live)


def other_resource_checks(logical_id, resource, deployed):
    """Types without their own checks: deployed and settled (drift detection compares their properties)."""
    label = "resource %s (%s)" % (logical_id, resource.get("Type"))
    status = deployed.resource_status(logical_id)
    expected = "one of " + ", ".join(sorted(APPLIED_RESOURCE_STATUSES))
    if status in APPLIED_RESOURCE_STATUSES:
        return [make_check(label + ": deployed", PASS, expected, status)]
    return [make_check(label + ": deployed", FAIL, expected, status or NOT_IN_STACK)]


def as_bool(value):
    """CloudFormation takes true and "true" alike."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise Unresolvable("the boolean %r" % (value,))


def as_number(value):
    """5, "5" and 5.0 all read as 5; 0.5 stays 0.5."""
    number = float(value)
    return int(number) if number.is_integer() else number
