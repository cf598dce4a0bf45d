# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what a template declares with what its stack deployed.

Pure functions over parse_template(...), gather_stack_info(...) and run_drift_detection(...): no AWS call here.
The result is a list of checks, each {name, status, expected, actual, reason}, status one of:

* pass: the live value is the declared one.
* fail: it is not, or the resource is missing.
* unsupported: the check cannot be decided here. It is never counted as passed, and it never fails a run.

When is a check "unsupported"? (the endpoint-gap rule)
------------------------------------------------------
Some endpoints accept a template property, report the resource CREATE_COMPLETE, and never apply the property:
the embedded emulator creates tables without TimeToLiveSpecification and PointInTimeRecoverySpecification
(DESIGN.md section 5), while its DynamoDB API answers DescribeTimeToLive / DescribeContinuousBackups with
DISABLED. On AWS the very same answers mean that someone turned the feature off by hand: a failure.

The rule decides from the endpoint's own answers, never from its address or name. A property check whose
live value differs from the declared one is "unsupported" only when all of these hold:

1. the live value is the service default, i.e. what the resource is when the property is not applied at all
   (DISABLED for TTL, point-in-time recovery, SSE and deletion protection; STANDARD table class;
   PROVISIONED billing; log events that never expire). Any other value was set by someone: fail;
2. CloudFormation reports the resource CREATE_COMPLETE, UPDATE_COMPLETE or IMPORT_COMPLETE: it claims to
   have applied the template to it;
3. a drift detection ran in this verification and reported the resource IN_SYNC or MODIFIED, with a
   non-empty ExpectedProperties document;
4. that ExpectedProperties document, which is CloudFormation's own record of the properties the template set
   on the resource, does not contain the property.

On AWS, ExpectedProperties holds every property that the template sets explicitly ("the expected property
values of the stack resource, as defined in the stack template"), so condition 4 cannot hold there and a
property turned off by hand is a failure (which drift detection reports as well). An endpoint whose
CloudFormation leaves a declared property out of ExpectedProperties shows that it neither tracks nor checks
that property: its other answers about it prove nothing either way. Without a drift detection (disabled, or
the stack's status does not allow it, or the endpoint lacks it) there is no such evidence and the mismatch is
a failure. Should an endpoint ever break condition 4's premise, the cost is an "unsupported" shown where a
"fail" was due, never a pass.

"unsupported" is also used, with its own reason, for what this verifier cannot evaluate: template values it
cannot resolve (Fn::If, Fn::ImportValue, ...), resources or outputs under a Condition that are not deployed,
metric-math alarms, and resources that drift detection did not check.
"""

import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import DETECTION_COMPLETE
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import DETECTION_FAILED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import NOT_RUN
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import Unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import resolution_context
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import DEFAULT_BILLING_MODE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import DEFAULT_TABLE_CLASS

PASS = "pass"
FAIL = "fail"
UNSUPPORTED = "unsupported"
CHECK_STATUSES = (PASS, FAIL, UNSUPPORTED)

HEALTHY_STACK_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                          "IMPORT_ROLLBACK_COMPLETE")
# Resource statuses in which CloudFormation claims to have applied the template to the resource.
APPLIED_RESOURCE_STATUSES = frozenset(["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"])
# Resource drift statuses that come with ExpectedProperties.
COMPARED_DRIFT_STATUSES = frozenset(["IN_SYNC", "MODIFIED"])

ABSENT = "absent"
NOT_IN_STACK = "not in the stack"
ENABLED = "ENABLED"
DISABLED = "DISABLED"
NEVER_EXPIRE = "never expire"

TABLE_TYPE = "AWS::DynamoDB::Table"
ALARM_TYPE = "AWS::CloudWatch::Alarm"
LOG_GROUP_TYPE = "AWS::Logs::LogGroup"

ENDPOINT_GAP_REASON = ("the endpoint ignores %s: its drift detection's ExpectedProperties leave it out, the "
                       "resource is %s and the live value is the service default (on AWS this is a fail)")


# --- checks ------------------------------------------------------------------------------------------------
def make_check(name, status, expected, actual, reason=""):
    if status not in CHECK_STATUSES:
        raise ValueError("unknown check status %r" % (status,))
    return dict(name=name, status=status, expected=expected, actual=actual, reason=reason)


def compare(name, expected, actual, reason=""):
    """pass when expected == actual, else fail (with reason)."""
    if expected == actual:
        return make_check(name, PASS, expected, actual)
    return make_check(name, FAIL, expected, actual, reason)


def unresolvable(name, error):
    return make_check(name, UNSUPPORTED, "(cannot resolve)", None,
                      "this verifier cannot resolve %s in the template" % error)


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
    """The endpoint-gap rule, conditions 2-4 (see the module docstring); condition 1 is the caller's."""
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


# --- value shapes --------------------------------------------------------------------------------------------
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


def enabled_text(flag):
    return ENABLED if flag else DISABLED


def key_schema_text(key_schema, name_key, type_key):
    """["sessionId HASH", "createdAt RANGE"]: HASH first, as DynamoDB lists it."""
    keys = sorted(key_schema or [], key=lambda key: key.get(type_key) != "HASH")
    return ["%s %s" % (key.get(name_key), key.get(type_key)) for key in keys]


def index_text(keys, projection_type, non_key_attributes):
    text = "keys %s; projection %s" % (", ".join(keys), projection_type)
    if non_key_attributes:
        text += " (%s)" % ", ".join(sorted(non_key_attributes))
    return text


def declared_index_text(index):
    projection = index.get("Projection") or {}
    return index_text(key_schema_text(index.get("KeySchema"), "AttributeName", "KeyType"),
                      projection.get("ProjectionType"), projection.get("NonKeyAttributes"))


def live_index_text(index):
    if index is None:
        return ABSENT
    projection = index.get("projection") or {}
    return index_text(key_schema_text(index.get("key_schema"), "attribute_name", "key_type"),
                      projection.get("projection_type"), projection.get("non_key_attributes"))


# --- table properties that have a service default: (aspect, property, declared, live, default) ---------------
def _declared_ttl(spec):
    if not as_bool(spec.get("Enabled")):
        return DISABLED
    return "%s (attribute %s)" % (ENABLED, spec.get("AttributeName"))


def _live_ttl(table, _spec):
    ttl = table.get("time_to_live") or {}
    status = ttl.get("status") or DISABLED
    if status == DISABLED or not ttl.get("attribute_name"):
        return status
    return "%s (attribute %s)" % (status, ttl["attribute_name"])


def _declared_pitr(spec):
    if not as_bool(spec.get("PointInTimeRecoveryEnabled")):
        return DISABLED
    if spec.get("RecoveryPeriodInDays") is not None:
        return "%s (%s days)" % (ENABLED, as_number(spec["RecoveryPeriodInDays"]))
    return ENABLED


def _live_pitr(table, spec):
    pitr = table.get("point_in_time_recovery") or {}
    status = pitr.get("status") or DISABLED
    if status == ENABLED and spec.get("RecoveryPeriodInDays") is not None:
        return "%s (%s days)" % (status, pitr.get("recovery_period_in_days"))
    return status


def _declared_sse(spec):
    return enabled_text(as_bool(spec.get("SSEEnabled")))


def _live_sse(table, _spec):
    # No SSEDescription: encrypted with an AWS owned key, which is what SSEEnabled: false asks for.
    return (table.get("sse_description") or {}).get("status") or DISABLED


def _declared_throughput(spec):
    return "read %s, write %s" % (as_number(spec.get("ReadCapacityUnits")), as_number(spec.get("WriteCapacityUnits")))


def _live_throughput(table, _spec):
    throughput = table.get("provisioned_throughput") or {}
    return "read %s, write %s" % (throughput.get("read_capacity_units"), throughput.get("write_capacity_units"))


TABLE_PROPERTY_CHECKS = (
    # aspect, template property, declared -> expected, (table, declared) -> actual, service default, check when
    # the template leaves the property out
    ("billing mode", "BillingMode", str, lambda table, _spec: table.get("billing_mode"), DEFAULT_BILLING_MODE, True),
    ("provisioned throughput", "ProvisionedThroughput", _declared_throughput, _live_throughput, None, False),
    ("time to live", "TimeToLiveSpecification", _declared_ttl, _live_ttl, DISABLED, False),
    ("point-in-time recovery", "PointInTimeRecoverySpecification", _declared_pitr, _live_pitr, DISABLED, False),
    ("encryption", "SSESpecification", _declared_sse, _live_sse, DISABLED, False),
    ("table class", "TableClass", str, lambda table, _spec: table.get("table_class"), DEFAULT_TABLE_CLASS, False),
    ("deletion protection", "DeletionProtectionEnabled", lambda flag: enabled_text(as_bool(flag)),
     lambda table, _spec: enabled_text(table.get("deletion_protection_enabled")), DISABLED, False),
)


def table_property_checks(label, logical_id, properties, table, deployed):
    checks = []
    for aspect, property_name, declared, live, default, always in TABLE_PROPERTY_CHECKS:
        name = "%s: %s" % (label, aspect)
        if property_name not in properties and not always:
            continue
        value, error = try_resolve(properties.get(property_name), deployed.context)
        if error:
            checks.append(unresolvable(name, error))
            continue
        try:
            expected = default if value is None else declared(value)
        except (Unresolvable, TypeError, ValueError, AttributeError) as e:
            checks.append(unresolvable(name, e))
            continue
        actual = live(table, value if isinstance(value, dict) else {})
        checks.append(property_check(name, deployed, logical_id, property_name, expected, actual, default))
    return checks


def index_checks(label, kind, declared_indexes, live_indexes):
    """One check of the index names (so an undeclared index fails), then one per declared index."""
    declared = dict((index.get("IndexName"), index) for index in declared_indexes or [])
    live = dict((index.get("index_name"), index) for index in live_indexes or [])
    if not declared and not live:
        return []
    checks = [compare("%s: %s names" % (label, kind), sorted(declared), sorted(live))]
    for name, index in declared.items():
        checks.append(compare("%s: %s %s" % (label, kind, name), declared_index_text(index),
                              live_index_text(live.get(name))))
    return checks


def named_resource(kind, logical_id, resource, live, name_property, live_name_key, deployed):
    """(properties, declared name, label, existence check) of a resource that the template may name.

    The label uses the live name, else the declared one, else the logical id: a report line must say which
    table or log group it is about even when the name is computed or the resource is missing.
    """
    properties = resource.get("Properties") or {}
    declared_name, dummy = try_resolve(properties.get(name_property), deployed.context)
    label = "%s %s" % (kind, (live or {}).get(live_name_key) or declared_name or logical_id)
    return properties, declared_name, label, resource_exists_check(label, deployed, logical_id, live)


def table_checks(logical_id, resource, deployed):
    table = deployed.tables.get(logical_id)
    properties, declared_name, label, exists = named_resource("table", logical_id, resource, table, "TableName",
                                                              "table_name", deployed)
    if exists["status"] != PASS:
        return [exists]
    checks = [exists]
    if isinstance(declared_name, str):
        checks.append(compare(label + ": name", declared_name, table["table_name"]))
    checks.append(compare(label + ": status", "ACTIVE", table.get("table_status")))
    checks.append(compare(label + ": key schema",
                          key_schema_text(properties.get("KeySchema"), "AttributeName", "KeyType"),
                          key_schema_text(table.get("key_schema"), "attribute_name", "key_type")))
    checks.append(compare(label + ": attribute types",
                          dict((a.get("AttributeName"), a.get("AttributeType"))
                               for a in properties.get("AttributeDefinitions") or []),
                          dict((a.get("attribute_name"), a.get("attribute_type"))
                               for a in table.get("attribute_definitions") or [])))
    checks.extend(index_checks(label, "global secondary index", properties.get("GlobalSecondaryIndexes"),
                               table.get("global_secondary_indexes")))
    checks.extend(index_checks(label, "local secondary index", properties.get("LocalSecondaryIndexes"),
                               table.get("local_secondary_indexes")))
    checks.extend(table_property_checks(label, logical_id, properties, table, deployed))
    return checks


# --- alarms and log groups -------------------------------------------------------------------------------------
ALARM_EVALUATION_PROPERTIES = (
    # template property, live key, live default, as template value
    ("Statistic", "statistic", None, str),
    ("ExtendedStatistic", "extended_statistic", None, str),
    ("Period", "period", None, as_number),
    ("EvaluationPeriods", "evaluation_periods", None, as_number),
    ("DatapointsToAlarm", "datapoints_to_alarm", None, as_number),
    ("TreatMissingData", "treat_missing_data", "missing", str),
)


ALARM_CHECKED_PROPERTIES = frozenset(["AlarmName", "Namespace", "MetricName", "Threshold",
                                      "ComparisonOperator", "Dimensions"] +
                                     [prop for prop, dummy, dummy, dummy in ALARM_EVALUATION_PROPERTIES])


def alarm_checks(logical_id, resource, deployed):
    # Only the properties checked here are resolved: an unresolvable AlarmActions entry must not hide the rest.
    properties, error = try_resolve(dict((key, value) for key, value in (resource.get("Properties") or {}).items()
                                         if key in ALARM_CHECKED_PROPERTIES), deployed.context)
    alarm = deployed.alarms.get(logical_id)
    label = "alarm %s" % ((alarm or {}).get("alarm_name") or (properties or {}).get("AlarmName") or logical_id)
    exists = resource_exists_check(label, deployed, logical_id, alarm)
    if exists["status"] != PASS:
        return [exists]
    if error:
        return [exists, unresolvable(label + ": properties", error)]
    checks = [exists]
    if "AlarmName" in properties:
        checks.append(compare(label + ": name", properties["AlarmName"], alarm.get("alarm_name")))
    if "MetricName" not in properties:
        checks.append(make_check(label + ": metric", UNSUPPORTED, "metric math", None,
                                 "this verifier checks alarms on one metric (MetricName) only"))
        return checks
    checks.append(compare(label + ": metric", "%s %s" % (properties.get("Namespace"), properties["MetricName"]),
                          "%s %s" % (alarm.get("namespace"), alarm.get("metric_name"))))
    if "Threshold" in properties:
        checks.append(compare(label + ": threshold",
                              "%s %s" % (properties.get("ComparisonOperator"), as_number(properties["Threshold"])),
                              "%s %s" % (alarm.get("comparison_operator"), as_number(alarm.get("threshold", 0)))))
    expected = dict((prop, convert(properties[prop])) for prop, dummy, dummy, convert in ALARM_EVALUATION_PROPERTIES
                    if prop in properties)
    actual = dict((prop, alarm.get(key, default)) for prop, key, default, dummy in ALARM_EVALUATION_PROPERTIES
                  if prop in properties)
    if expected:
        checks.append(compare(label + ": evaluation", expected, actual))
    declared_dimensions = dict((d.get("Name"), d.get("Value")) for d in properties.get("Dimensions") or [])
    live_dimensions = dict((d.get("name"), d.get("value")) for d in alarm.get("dimensions") or [])
    for name in list(declared_dimensions) + sorted(set(live_dimensions) - set(declared_dimensions)):
        checks.append(compare("%s: dimension %s" % (label, name), declared_dimensions.get(name, ABSENT),
                              live_dimensions.get(name, ABSENT)))
    return checks


def log_group_checks(logical_id, resource, deployed):
    group = deployed.log_groups.get(logical_id)
    properties, dummy, label, exists = named_resource("log group", logical_id, resource, group, "LogGroupName",
                                                      "log_group_name", deployed)
    if exists["status"] != PASS:
        return [exists]
    checks = [exists]
    retention, error = try_resolve(properties.get("RetentionInDays"), deployed.context)
    if error:
        return checks + [unresolvable(label + ": retention", error)]
    expected = NEVER_EXPIRE if retention is None else as_number(retention)
    actual = group.get("retention_in_days")
    checks.append(property_check(label + ": retention", deployed, logical_id, "RetentionInDays", expected,
                                 NEVER_EXPIRE if actual is None else actual, NEVER_EXPIRE))
    return checks


def other_resource_checks(logical_id, resource, deployed):
    """Types without their own checks: deployed and settled (drift detection compares their properties)."""
    label = "resource %s (%s)" % (logical_id, resource.get("Type"))
    status = deployed.resource_status(logical_id)
    expected = "one of " + ", ".join(sorted(APPLIED_RESOURCE_STATUSES))
    if status in APPLIED_RESOURCE_STATUSES:
        return [make_check(label + ": deployed", PASS, expected, status)]
    return [make_check(label + ": deployed", FAIL, expected, status or NOT_IN_STACK)]


RESOURCE_CHECKS = {
    TABLE_TYPE: table_checks,
    ALARM_TYPE: alarm_checks,
    LOG_GROUP_TYPE: log_group_checks,
}


# --- stack, outputs, drift ------------------------------------------------------------------------------------
def stack_status_check(stack_name, stack):
    status = stack.get("stack_status") if stack else "ABSENT"
    expected = "one of " + ", ".join(HEALTHY_STACK_STATUSES)
    if status in HEALTHY_STACK_STATUSES:
        return make_check("stack %s: status" % stack_name, PASS, expected, status)
    return make_check("stack %s: status" % stack_name, FAIL, expected, status,
                      "the stack does not exist" if not stack else stack.get("stack_status_reason") or "")


def output_text(value):
    """How CloudFormation shows a value in Outputs: lists comma-joined."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict) else str(value)


def output_checks(template, deployed):
    outputs = deployed.stack.get("outputs") or {}
    exports = dict((export.get("name"), export.get("value")) for export in deployed.stack.get("exports") or [])
    checks = []
    for key, output in (template.get("Outputs") or {}).items():
        output = output or {}
        label = "output %s" % key
        if "Condition" in output and key not in outputs:
            checks.append(make_check(label + ": value", UNSUPPORTED, "listed if Condition %s holds"
                                     % output["Condition"], ABSENT, "this verifier does not evaluate Conditions"))
            continue
        value, error = try_resolve(output.get("Value"), deployed.context)
        actual = outputs[key] if key in outputs else ABSENT
        if error:
            checks.append(make_check(label + ": value", PASS if key in outputs else FAIL, "present", actual,
                                     "value not compared: this verifier cannot resolve %s" % error))
            expected_value = outputs.get(key)
        else:
            expected_value = output_text(value)
            checks.append(compare(label + ": value", expected_value, actual))
        if "Export" not in output:
            continue
        export_name, error = try_resolve((output.get("Export") or {}).get("Name"), deployed.context)
        if error:
            checks.append(unresolvable("output %s: export" % key, error))
            continue
        checks.append(compare("export %s: listed" % export_name,
                              expected_value if expected_value is not None else "listed",
                              exports.get(export_name, "not listed by ListExports for this stack")))
    return checks


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


# --- what the stack holds and the template does not declare ---------------------------------------------------
UNDECLARED = " is in the stack but not declared"
UNDECLARED_RESOURCE_REASON = ("the template does not declare logical id %s: the stack was deployed from another "
                              "declaration, or this one dropped it (a deploy of it would remove the resource from "
                              "the stack)")
UNDECLARED_KINDS = {TABLE_TYPE: "table", ALARM_TYPE: "alarm", LOG_GROUP_TYPE: "log group"}


def undeclared_resource_label(resource):
    """"table ai-chef-extra (AiChefExtraTable)" for the types with a name, else "resource Id (Type)"."""
    logical_id, resource_type = resource["logical_resource_id"], resource.get("resource_type")
    physical_id = resource.get("physical_resource_id")
    if resource_type in UNDECLARED_KINDS and physical_id:
        return "%s %s (%s)" % (UNDECLARED_KINDS[resource_type], physical_id, logical_id)
    return "resource %s (%s)" % (logical_id, resource_type)


def undeclared_resource_checks(stack_name, template, deployed):
    """One failed check per live resource whose logical id the template does not declare; one pass if none."""
    all_declared = "stack %s: resources all declared" % stack_name
    if template.get("Transform"):
        return [make_check(all_declared, UNSUPPORTED, "only the declared logical ids", "not compared",
                           "the template has a Transform (%s): the stack's logical ids come from its expansion, "
                           "which this verifier does not do" % output_text(template["Transform"]))]
    declared = template.get("Resources") or {}
    checks = []
    for logical_id, resource in deployed.resources.items():
        if logical_id in declared or resource.get("resource_status") == "DELETE_COMPLETE":
            continue
        # The label names a table, alarm or log group by its physical id, any other resource by its type.
        label = undeclared_resource_label(resource)
        actual = resource.get("resource_status")
        if label.startswith("resource ") and resource.get("physical_resource_id"):
            actual = "%s %s" % (actual, resource["physical_resource_id"])
        checks.append(make_check(label + UNDECLARED, FAIL, NOT_IN_STACK, actual,
                                 UNDECLARED_RESOURCE_REASON % logical_id))
    return checks or [make_check(all_declared, PASS, "none undeclared", "none undeclared")]


def undeclared_output_checks(stack_name, template, deployed):
    """One failed check per live output that the template's Outputs do not declare; one pass if none."""
    declared = template.get("Outputs") or {}
    checks = [make_check("output %s%s" % (key, UNDECLARED), FAIL, NOT_IN_STACK, value,
                         "the template's Outputs do not declare %s" % key)
              for key, value in sorted((deployed.stack.get("outputs") or {}).items()) if key not in declared]
    return checks or [make_check("stack %s: outputs all declared" % stack_name, PASS, "none undeclared",
                                 "none undeclared")]


def declared_export_names(template, context):
    """(set of the export names the template declares, resolved for this stack, None) or (None, what could not
    be resolved)."""
    names = set()
    for key, output in sorted((template.get("Outputs") or {}).items()):
        export = output.get("Export") if isinstance(output, dict) else None
        if not export:
            continue
        name, error = try_resolve(export.get("Name") if isinstance(export, dict) else export, context)
        if error or not isinstance(name, str):
            return None, "%s in the export name of output %s" % (error or repr(name), key)
        names.add(name)
    return names, None


def undeclared_export_checks(stack_name, template, deployed):
    """One failed check per export of this stack (ListExports) whose name the template does not declare; one
    pass if none; unsupported when a declared export name cannot be resolved."""
    label = "stack %s: exports all declared" % stack_name
    declared, error = declared_export_names(template, deployed.context)
    if error:
        return [make_check(label, UNSUPPORTED, "only the declared export names", "not compared",
                           "this verifier cannot resolve %s, so it cannot tell which exports are declared" % error)]
    exports = sorted((export.get("name"), export.get("value")) for export in deployed.stack.get("exports") or [])
    checks = [make_check("export %s%s" % (name, UNDECLARED), FAIL, "not listed", value,
                         "ListExports lists it for this stack, and no output of the template exports that name")
              for name, value in exports if name not in declared]
    return checks or [make_check(label, PASS, "none undeclared", "none undeclared")]


def verify_stack(stack_name, template, info, drift=None):
    """Every check, in template order: the stack, each resource, the resources the template does not declare,
    the outputs and exports, those it does not declare, then drift (when it ran)."""
    checks = [stack_status_check(stack_name, info["stack"])]
    if not info["stack"]:
        return checks
    deployed = DeployedStack(info, drift)
    for logical_id, resource in template["Resources"].items():
        resource = resource or {}
        if "Condition" in resource and logical_id not in deployed.resources:
            checks.append(conditional_not_deployed("resource %s" % logical_id, resource))
            continue
        checker = RESOURCE_CHECKS.get(resource.get("Type"), other_resource_checks)
        checks.extend(checker(logical_id, resource, deployed))
    checks.extend(undeclared_resource_checks(stack_name, template, deployed))
    checks.extend(output_checks(template, deployed))
    checks.extend(undeclared_output_checks(stack_name, template, deployed))
    checks.extend(undeclared_export_checks(stack_name, template, deployed))
    checks.extend(drift_checks(stack_name, deployed))
    return checks


# --- reporting ----------------------------------------------------------------------------------------------------
STATUS_LABELS = {PASS: "pass", FAIL: "FAIL", UNSUPPORTED: "unsupported"}
SUMMARY_VALUE_WIDTH = 34
SUMMARY_NAME_WIDTH = 80  # the longest alarm check names of the rendered template fit whole


def count_checks(checks):
    counts = dict((status, 0) for status in CHECK_STATUSES)
    for check in checks:
        counts[check["status"]] += 1
    return counts


def value_text(value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def shorten(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


def failure_lines(checks):
    """One line per failed check, with the whole expected and actual values."""
    return ["%s: expected %s, actual %s%s" % (check["name"], value_text(check["expected"]), value_text(check["actual"]),
                                              " (%s)" % check["reason"] if check["reason"] else "")
            for check in checks if check["status"] == FAIL]


def summary_lines(checks):
    """A compact table: status, check, expected, actual (values shortened), a reason line under each check that is
    not a pass, and the counts."""
    name_width = min(SUMMARY_NAME_WIDTH, max([len("CHECK")] + [len(check["name"]) for check in checks]))
    row = "%-11s  %-" + str(name_width) + "s  %-" + str(SUMMARY_VALUE_WIDTH) + "s  %s"
    lines = [row % ("STATUS", "CHECK", "EXPECTED", "ACTUAL")]
    for check in checks:
        lines.append((row % (STATUS_LABELS[check["status"]], shorten(check["name"], name_width),
                             shorten(value_text(check["expected"]), SUMMARY_VALUE_WIDTH),
                             shorten(value_text(check["actual"]), SUMMARY_VALUE_WIDTH))).rstrip())
        if check["status"] != PASS and check["reason"]:
            lines.append("%13s-> %s" % ("", check["reason"]))
    counts = count_checks(checks)
    lines.append("%d passed, %d failed, %d unsupported (not counted as passed)" % (
        counts[PASS], counts[FAIL], counts[UNSUPPORTED]))
    return lines
