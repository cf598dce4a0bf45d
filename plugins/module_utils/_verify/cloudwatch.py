# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of a declared CloudWatch alarm and CloudWatch Logs log group against the live ones.

An alarm is compared on its metric, threshold, evaluation settings and dimensions (metric-math alarms are
unsupported); a log group on its retention, which goes through the endpoint-gap rule like a table property.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import ABSENT
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import compare
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import as_number
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import named_resource
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import property_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import resource_exists_check

NEVER_EXPIRE = "never expire"


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
