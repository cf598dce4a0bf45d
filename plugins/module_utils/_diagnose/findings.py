# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every rule shares: the shape of a finding, the problem and rule names, and the thresholds.

A finding is one evaluated rule, fired or not, so the result shows what was checked as well as what was found.
Thresholds compare with a value per metric period (the `period`, 300 s by default as in the guide's alarm),
except where a rule says otherwise; a rule fires when the observed value is strictly beyond its threshold.

number_text is here because the findings' messages set how the diagnosis writes a number; the report and the
chart legends use the same function so that a value reads the same everywhere.
"""

# The rules' thresholds, with their defaults (the module's `thresholds` option).
DEFAULT_THRESHOLDS = dict(
    throttle_events=5,
    gsi_throttle_events=5,
    hot_partition_key_range_events=0,
    hot_partition_utilization_percent=50,
    cost_spike_ratio=3.0,
    cost_spike_min_units=1000,
    system_errors=0,
)

THROTTLING = "throttling"
HOT_PARTITIONS = "hot partitions"
GSI_THROTTLING = "GSI throttling"
COST_SPIKE = "cost spike"
SYSTEM_ERRORS_PROBLEM = "system errors"
PROBLEMS = (THROTTLING, HOT_PARTITIONS, GSI_THROTTLING, COST_SPIKE, SYSTEM_ERRORS_PROBLEM)
RULE_THROTTLE = "throttle events per period"
RULE_KEY_RANGE = "partition-limit throttle events per period"
RULE_HEADROOM = "throttled below capacity"
RULE_COST = "peak period against the window's median"
RULE_SYSTEM_ERRORS = "system errors in the window"


def finding(table, problem, rule, fired, threshold_name, threshold, observed, message, index=None, at=None,
            hint=False):
    """One evaluated rule. fired: the threshold was crossed; hint: circumstantial evidence, not a proof."""
    return dict(table=table, index=index, problem=problem, rule=rule, fired=fired, hint=hint,
                threshold_name=threshold_name, threshold=threshold, observed=observed, at=at, message=message)


def number_text(value):
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return "%.1f" % value
    return "%d" % value


def merged_thresholds(overrides):
    """DEFAULT_THRESHOLDS with the given values (None = default) over them."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    for key, value in (overrides or {}).items():
        if key not in thresholds:
            raise ValueError("unknown threshold %r; known: %s" % (key, ", ".join(sorted(DEFAULT_THRESHOLDS))))
        if value is not None:
            thresholds[key] = value
    return thresholds
