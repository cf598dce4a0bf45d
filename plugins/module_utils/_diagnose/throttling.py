# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems 1 and 3 of the guide: throttling for lack of capacity, of the table and of each GSI.

Both ask the same question of different series (the table's throttle events, or an index's), so one rule,
throttle_rule, serves both; each problem adds only its capacity wording and its advice.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import GSI_THROTTLING
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_THROTTLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import THROTTLING
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import number_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import CONSUMED
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import DIRECTIONS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import READ
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import THROTTLED_REQUESTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import THROTTLE_EVENTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import WRITE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import peak
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_starts
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import time_text


def worst_direction(per_direction):
    """(direction, (peak, index)) with the larger peak; read first on a tie."""
    return max(DIRECTIONS, key=lambda direction: (per_direction[direction][0], direction == READ))


def throttle_rule(table_name, series, threshold, threshold_name, problem, capacity_text, advice, index=None):
    """Shared by the table and the GSI throttling rules.

    Fires when, in one period of the window, the read or the write throttle events of the table (dimension
    TableName alone: the table's own capacity) or of the GSI (TableName + GlobalSecondaryIndexName) exceed the
    threshold. Default 5, the guide's alarm: ThrottledRequests > 5 over one 300 s period.
    """
    window = series.window
    peaks = dict((direction, peak(series.values(THROTTLE_EVENTS[direction], index))) for direction in DIRECTIONS)
    direction = worst_direction(peaks)
    observed, where = peaks[direction]
    totals = dict((direction_, sum(series.values(THROTTLE_EVENTS[direction_], index))) for direction_ in DIRECTIONS)
    subject = "Table %s" % table_name if index is None else "Index %s of table %s" % (index, table_name)
    starts = period_starts(window)
    at = starts[where].isoformat() if where is not None else None
    fired = observed > threshold
    if not fired:
        message = "%s: at most %s throttle events in one %s (threshold %s = %s)." % (
            subject, number_text(observed), period_text(window), threshold_name, number_text(threshold))
        return finding(table_name, problem, RULE_THROTTLE, False, threshold_name, threshold,
                       observed, message, index, at)
    message = ("%s: %s %s throttle events in the %s from %s (more than %s = %s); in the window %s read and %s "
               "write throttle events. DynamoDB refused these requests for lack of capacity%s. %s" % (
                   subject, number_text(observed), direction, period_text(window), time_text(starts[where], window),
                   threshold_name, number_text(threshold), number_text(totals[READ]), number_text(totals[WRITE]),
                   capacity_text(direction, where), advice))
    return finding(table_name, problem, RULE_THROTTLE, True, threshold_name, threshold, observed,
                   message.strip(), index, at)


def consumed_rate(series, direction, where, index=None):
    """Average units per second consumed in period `where` (None when there is no such period)."""
    if where is None:
        return None
    return round(series.values(CONSUMED[direction], index)[where] / series.window["period"], 1)


def usage_text(rate, capacity, direction, whose=""):
    """" (12.5 of 100 write units/s provisioned)" or " (12.5 units/s consumed on average)"; "" without a rate."""
    if rate is None:
        return ""
    if capacity and capacity.get(direction):
        return " (%s of %s %s units/s provisioned%s)" % (number_text(rate), number_text(capacity[direction]),
                                                         direction, whose)
    return " (%s units/s consumed on average%s)" % (number_text(rate), whose)


def throttling_finding(summary, series, thresholds):
    """Problem 1, throttling (capacity): see throttle_rule; threshold throttle_events."""
    capacity = summary["provisioned_capacity"]

    def capacity_text(direction, where):
        return usage_text(consumed_rate(series, direction, where), capacity, direction)

    if capacity:
        advice = ("Raise the table's provisioned capacity or turn on auto scaling; retries with backoff absorb "
                  "short bursts.")
    else:
        advice = ("An on-demand table throttles when traffic more than doubles its previous peak within 30 minutes, "
                  "or exceeds the table's maximum throughput: ramp traffic up gradually or set warm throughput.")
    operations = ["%s %s" % (operation, number_text(sum(series.values(THROTTLED_REQUESTS, operation=operation))))
                  for operation in series.operations(THROTTLED_REQUESTS)]
    if operations:
        advice += " Throttled requests per operation in the window: %s." % ", ".join(operations)
    return throttle_rule(summary["table_name"], series, thresholds["throttle_events"], "throttle_events",
                         THROTTLING, capacity_text, advice)


def gsi_throttling_findings(summary, series, thresholds):
    """Problem 3, GSI throttling (index capacity): throttle_rule per GSI; threshold gsi_throttle_events.

    A write to a table with GSIs is also a write to each index; when an index cannot take it, the write to the
    table is throttled too (back pressure), so an under-sized or hot index slows the whole table.
    """
    findings = []
    for index in summary["global_secondary_indexes"]:
        name = index["index_name"]
        capacity = index["provisioned_capacity"]

        def capacity_text(direction, where, name=name, capacity=capacity):
            return usage_text(consumed_rate(series, direction, where, name), capacity, direction, " by the index")

        keys = ", ".join(index["keys"])
        if capacity:
            advice = ("Writes that the index throttles throttle the table's writes too: give the index at least "
                      "the table's write capacity (or auto scaling).")
        else:
            advice = ("Writes that the index throttles throttle the table's writes too; on demand, look at how "
                      "evenly the index key (%s) spreads: few distinct values make hot index partitions." % keys)
        findings.append(throttle_rule(summary["table_name"], series, thresholds["gsi_throttle_events"],
                                      "gsi_throttle_events", GSI_THROTTLING, capacity_text, advice, index=name))
    return findings
