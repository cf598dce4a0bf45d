# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guide's troubleshooting as data: what to ask CloudWatch, and what its answers mean.

Pure functions, no AWS call: the metric window and queries, the per-period series built from GetMetricData's
answer, a describe-table summary, alarm states, backups and the point-in-time recovery window, and the findings
for the guide's four common problems (throttling, hot partitions, GSI throttling, cost spikes), plus system
errors. Each finding names the rule and the threshold that fired, with the value observed.

This module is the entry point: it evaluates every rule for one table and assembles the table's diagnosis. The
parts sit beside it, one concern each, and callers reach them through the names re-exported here:

* window: the span of time and its metric periods;
* metric_series: which metrics to ask CloudWatch for, and the per-period series built from its answer;
* table_state: the describe-table summary, the table's alarms, its backups and point-in-time recovery;
* findings: the shape of a finding, the problem and rule names, the thresholds;
* throttling, hot_partitions, cost_spike, system_errors: the rules, one problem per module;
* report: the summary lines and the chart's panels.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.cost_spike import cost_spike_finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import COST_SPIKE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import DEFAULT_THRESHOLDS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import GSI_THROTTLING
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import HOT_PARTITIONS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_COST
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_HEADROOM
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_KEY_RANGE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_SYSTEM_ERRORS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_THROTTLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import SYSTEM_ERRORS_PROBLEM
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import THROTTLING
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import merged_thresholds
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.hot_partitions import headroom_finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.hot_partitions import key_range_finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import CONSUMED
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import NAMESPACE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import OPERATION_METRICS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import READ
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import RESOURCE_METRICS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import THROTTLE_EVENTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import TableSeries
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import WRITE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import build_series
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import metric_queries
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import per_period_values
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import series_specs
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import spec_label
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.report import chart_panels
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.report import summary_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.system_errors import system_errors_finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.table_state import backup_summary
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.table_state import table_alarms
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.table_state import table_summary
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.throttling import gsi_throttling_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.throttling import throttling_finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import DEFAULT_PERIOD
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import DEFAULT_WINDOW_HOURS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import metric_window
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_starts
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import time_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import validate_window
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import window_result


# What callers use, so that they import from this module only: the module's API, and the names the unit
# tests reach as diagnosis.<name>. Listed, so that the imports above count as used.
__all__ = [
    "CONSUMED",
    "COST_SPIKE",
    "DEFAULT_PERIOD",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_WINDOW_HOURS",
    "GSI_THROTTLING",
    "HOT_PARTITIONS",
    "NAMESPACE",
    "OPERATION_METRICS",
    "READ",
    "RESOURCE_METRICS",
    "RULE_COST",
    "RULE_HEADROOM",
    "RULE_KEY_RANGE",
    "RULE_SYSTEM_ERRORS",
    "RULE_THROTTLE",
    "SYSTEM_ERRORS_PROBLEM",
    "THROTTLE_EVENTS",
    "THROTTLING",
    "TableSeries",
    "WRITE",
    "backup_summary",
    "build_series",
    "chart_panels",
    "diagnose_table",
    "finding",
    "merged_thresholds",
    "metric_queries",
    "metric_window",
    "per_period_values",
    "period_starts",
    "series_specs",
    "spec_label",
    "summary_lines",
    "table_alarms",
    "table_findings",
    "table_summary",
    "time_text",
    "validate_window",
    "window_result",
]


def table_findings(summary, series, thresholds):
    """Every rule evaluated for one table, fired or not, in PROBLEMS order."""
    return ([throttling_finding(summary, series, thresholds),
             key_range_finding(summary, series, thresholds),
             headroom_finding(summary, series, thresholds)]
            + gsi_throttling_findings(summary, series, thresholds)
            + [cost_spike_finding(summary, series, thresholds),
               system_errors_finding(summary, series, thresholds)])


def diagnose_table(table, time_to_live, continuous_backups, backups, alarms, series, window, thresholds):
    """Everything about one table: summary, metrics, alarms, backups, findings (all rules, fired or not)."""
    summary = table_summary(table, time_to_live)
    lookup = TableSeries(series, window)
    return dict(
        table_name=summary["table_name"],
        summary=summary,
        metrics=series,
        alarms=table_alarms(alarms, summary["table_name"]),
        backups=backup_summary(backups, continuous_backups),
        findings=table_findings(summary, lookup, thresholds),
    )
