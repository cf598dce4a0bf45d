# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problem 2 of the guide: hot partitions, from DynamoDB's own count (rule A) and by inference (rule B).

CloudWatch shows no partitions, so both rules work from the table's series: rule A counts the requests
DynamoDB throttled at a partition's limit, rule B finds throttling while the table had capacity to spare. Both
only hint at hot keys; CloudWatch Contributor Insights for DynamoDB names them.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import HOT_PARTITIONS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_HEADROOM
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_KEY_RANGE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import number_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import CONSUMED
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import DIRECTIONS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import KEY_RANGE_THROTTLE_EVENTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import READ
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import THROTTLE_EVENTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import WRITE
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import peak
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_starts
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import time_text


# A partition serves at most this many units per second (DynamoDB's documented per-partition limits).
PARTITION_UNITS_PER_SECOND = {READ: 3000, WRITE: 1000}


def key_range_finding(summary, series, thresholds):
    """Problem 2, hot partitions, rule A (DynamoDB's own evidence).

    CloudWatch shows no partitions, but DynamoDB counts the requests it throttled because one partition (key
    range) reached its own limit of 3,000 read or 1,000 write units per second, whatever the table's capacity:
    Read/WriteKeyRangeThroughputThrottleEvents, for the table and each GSI. Fires when, in one period, their sum
    exceeds hot_partition_key_range_events (default 0: any such event). It names no key: CloudWatch Contributor
    Insights for DynamoDB does. An endpoint that does not publish these metrics never fires this rule.
    """
    indexes = [None] + [index["index_name"] for index in summary["global_secondary_indexes"]]
    totals = [0.0] * series.window["count"]
    for direction in DIRECTIONS:
        totals = [a + b for a, b in zip(totals, series.summed(KEY_RANGE_THROTTLE_EVENTS[direction], indexes))]
    observed, where = peak(totals)
    threshold = thresholds["hot_partition_key_range_events"]
    starts = period_starts(series.window)
    at = starts[where].isoformat() if where is not None else None
    rule = RULE_KEY_RANGE
    name = summary["table_name"]
    if observed <= threshold:
        return finding(name, HOT_PARTITIONS, rule, False, "hot_partition_key_range_events", threshold, observed,
                       "Table %s: at most %s requests throttled by a partition's own limit in one %s "
                       "(threshold hot_partition_key_range_events = %s)." % (
                           name, number_text(observed), period_text(series.window), number_text(threshold)), at=at)
    message = ("Table %s: %s requests were throttled by a single partition's limit (%s/%s units/s per partition) "
               "in the %s from %s (more than hot_partition_key_range_events = %s). Hint: some key values (of the "
               "table or of an index) take far more traffic than the others. Turn on CloudWatch Contributor "
               "Insights for DynamoDB to see the most accessed keys, and spread them (the guide: partition keys "
               "unique per item and evenly distributed)." % (
                   name, number_text(observed), PARTITION_UNITS_PER_SECOND[READ], PARTITION_UNITS_PER_SECOND[WRITE],
                   period_text(series.window), time_text(starts[where], series.window), number_text(threshold)))
    return finding(name, HOT_PARTITIONS, rule, True, "hot_partition_key_range_events", threshold, observed, message,
                   at=at, hint=True)


def headroom_evidence(series, direction, capacity):
    """Periods where the table throttled in this direction although it used little of its capacity.

    capacity: provisioned units/s, or None (on demand). On demand there is no fixed capacity; the capacity is
    then the highest rate the table served in a period of the window without any throttling in that direction
    (it has shown it can serve that much). With no such period there is no evidence.
    Returns [(utilisation percent, period index, rate, capacity)], lowest utilisation first.
    """
    period = series.window["period"]
    consumed = series.values(CONSUMED[direction])
    throttles = series.values(THROTTLE_EVENTS[direction])
    if not capacity:
        served = [units / period for units, throttled in zip(consumed, throttles) if not throttled and units > 0]
        if not served:
            return []
        capacity = max(served)
    evidence = []
    for index, (units, throttled) in enumerate(zip(consumed, throttles)):
        if throttled > 0:
            rate = units / period
            evidence.append((100.0 * rate / capacity, index, rate, capacity))
    return sorted(evidence)


def headroom_finding(summary, series, thresholds):
    """Problem 2, hot partitions, rule B (an inference: a hint, never a proof).

    Throttle events on the table in a period where the table consumed, on average, less than
    hot_partition_utilization_percent (default 50) of its capacity: provisioned capacity, or on demand the
    highest rate it served without throttling in the window. The table as a whole had room, so the requests
    that were refused most likely went to a few busy partitions. Averages over a period hide bursts shorter than
    the period, which weakens the evidence (a shorter period sharpens it); the rule therefore only hints.
    """
    name = summary["table_name"]
    threshold = thresholds["hot_partition_utilization_percent"]
    rule = RULE_HEADROOM
    capacity = summary["provisioned_capacity"] or {}
    candidates = []
    for direction in DIRECTIONS:
        for utilisation, where, rate, limit in headroom_evidence(series, direction, capacity.get(direction)):
            candidates.append((utilisation, direction, where, rate, limit))
    candidates.sort()
    if not candidates or candidates[0][0] >= threshold:
        observed = round(candidates[0][0], 1) if candidates else None
        if candidates:
            text = "lowest use of capacity while throttled %s%%" % number_text(observed)
        elif any(sum(series.values(THROTTLE_EVENTS[direction])) for direction in DIRECTIONS):
            text = "throttled, but no period served traffic without throttling to measure its capacity by"
        else:
            text = "no throttled period"
        return finding(name, HOT_PARTITIONS, rule, False, "hot_partition_utilization_percent", threshold, observed,
                       "Table %s: %s (threshold hot_partition_utilization_percent = %s)." % (
                           name, text, number_text(threshold)))
    utilisation, direction, where, rate, limit = candidates[0]
    starts = period_starts(series.window)
    source = ("provisioned" if capacity.get(direction)
              else "the highest rate it served without throttling in the window")
    message = ("Table %s: %s throttle events in the %s from %s while it used %s%% of its %s capacity (%s of %s "
               "units/s, %s), below hot_partition_utilization_percent = %s. Hint: CloudWatch does not show "
               "partitions; throttling while the table has room suggests a few hot partition keys. Turn on "
               "CloudWatch Contributor Insights for DynamoDB to see the most accessed keys." % (
                   name, direction, period_text(series.window), time_text(starts[where], series.window),
                   number_text(round(utilisation, 1)), direction, number_text(round(rate, 1)),
                   number_text(round(limit, 1)), source, number_text(threshold)))
    return finding(name, HOT_PARTITIONS, rule, True, "hot_partition_utilization_percent", threshold,
                   round(utilisation, 1), message, at=starts[where].isoformat(), hint=True)
