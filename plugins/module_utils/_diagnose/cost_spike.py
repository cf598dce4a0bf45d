# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problem 4 of the guide: a cost spike, traffic far above the window's usual level.

Kept apart from the throttling rules: it reads consumed capacity only, and fires on traffic that DynamoDB
served, not on traffic it refused.
"""

import math
import statistics

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import COST_SPIKE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_COST
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import number_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import CONSUMED
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import DIRECTIONS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import READ
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import WRITE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import peak
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_starts
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import time_text


def cost_spike_finding(summary, series, thresholds):
    """Problem 4, cost spikes (unexpected traffic).

    Per direction, the units consumed per period by the table and all its GSIs (index writes are billed too).
    Fires when the busiest period consumed at least cost_spike_min_units (default 1000: too little traffic to
    matter is ignored) and more than cost_spike_ratio (default 3) times the median period of the window (the
    usual traffic; a median of 0 means the traffic came from nothing, which counts as a spike). On demand each
    unit is billed; with provisioned capacity a spike costs more only through auto scaling, but it shows the same
    unexpected traffic.
    """
    name = summary["table_name"]
    indexes = [None] + [index["index_name"] for index in summary["global_secondary_indexes"]]
    ratio_threshold = thresholds["cost_spike_ratio"]
    min_units = thresholds["cost_spike_min_units"]
    evaluations = []
    for direction in DIRECTIONS:
        units = series.summed(CONSUMED[direction], indexes)
        best, where = peak(units)
        median = statistics.median(units) if units else 0.0
        ratio = best / median if median > 0 else (math.inf if best > 0 else 0.0)
        fired = best >= min_units and ratio > ratio_threshold
        evaluations.append((fired, ratio, direction, best, where, median, sum(units)))
    evaluations.sort(key=lambda item: (item[0], item[1]), reverse=True)
    fired, ratio, direction, best, where, median, total = evaluations[0]
    observed = None if math.isinf(ratio) else round(ratio, 1)
    totals = dict((item[2], item[6]) for item in evaluations)
    rule = RULE_COST
    if not fired:
        return finding(name, COST_SPIKE, rule, False, "cost_spike_ratio", ratio_threshold, observed,
                       "Table %s: the busiest period consumed %s %s units, the median period %s (a spike needs "
                       "more than cost_spike_ratio = %s times the median and at least cost_spike_min_units = %s); "
                       "in the window %s read and %s write units." % (
                           name, number_text(best), direction, number_text(median), number_text(ratio_threshold),
                           number_text(min_units), number_text(totals[READ]), number_text(totals[WRITE])))
    starts = period_starts(series.window)
    billing = ("On demand every unit is billed" if summary["billing_mode"] == "PAY_PER_REQUEST" else
               "Provisioned capacity is billed per hour: this costs more only if auto scaling raised the capacity")
    message = ("Table %s: %s %s units (table and indexes) in the %s from %s, %s the window's median of %s units per "
               "period (more than cost_spike_ratio = %s, and at least cost_spike_min_units = %s). %s. In the window "
               "%s read and %s write units. Look for what sent the traffic: a new client, a retry storm, a scan or "
               "a backfill around that time." % (
                   name, number_text(best), direction, period_text(series.window),
                   time_text(starts[where], series.window),
                   "%s times" % number_text(observed) if observed is not None else "up from", number_text(median),
                   number_text(ratio_threshold), number_text(min_units), billing, number_text(totals[READ]),
                   number_text(totals[WRITE])))
    return finding(name, COST_SPIKE, rule, True, "cost_spike_ratio", ratio_threshold, observed, message,
                   at=starts[where].isoformat())
