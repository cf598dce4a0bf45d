# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guide's troubleshooting as data: what to ask CloudWatch, and what its answers mean.

Pure functions, no AWS call: the metric window and queries, the per-period series built from GetMetricData's
answer, a describe-table summary, alarm states, backups and the point-in-time recovery window, and the findings
for the guide's four common problems (throttling, hot partitions, GSI throttling, cost spikes), plus system
errors. Each finding names the rule and the threshold that fired, with the value observed.

Metrics (namespace AWS/DynamoDB, statistic Sum, one value per period of the window, zero where CloudWatch has
no data point: DynamoDB publishes these only when something happens):

* per table and per global secondary index (dimensions TableName [+ GlobalSecondaryIndexName]):
  ConsumedReadCapacityUnits, ConsumedWriteCapacityUnits, ReadThrottleEvents, WriteThrottleEvents,
  ReadKeyRangeThroughputThrottleEvents, WriteKeyRangeThroughputThrottleEvents;
* per table and operation (TableName + Operation), for the operations CloudWatch lists for the table:
  ThrottledRequests, SystemErrors (DynamoDB publishes these two per operation only).

Thresholds compare with a value per metric period (the `period`, 300 s by default as in the guide's alarm),
except where a rule says otherwise; a rule fires when the observed value is strictly beyond its threshold.
"""

import datetime
import math
import statistics

NAMESPACE = "AWS/DynamoDB"
READ = "read"
WRITE = "write"
DIRECTIONS = (READ, WRITE)

CONSUMED = {READ: "ConsumedReadCapacityUnits", WRITE: "ConsumedWriteCapacityUnits"}
THROTTLE_EVENTS = {READ: "ReadThrottleEvents", WRITE: "WriteThrottleEvents"}
KEY_RANGE_THROTTLE_EVENTS = {READ: "ReadKeyRangeThroughputThrottleEvents",
                             WRITE: "WriteKeyRangeThroughputThrottleEvents"}
THROTTLED_REQUESTS = "ThrottledRequests"
SYSTEM_ERRORS = "SystemErrors"
# Asked for the table and for each of its GSIs.
RESOURCE_METRICS = (CONSUMED[READ], CONSUMED[WRITE], THROTTLE_EVENTS[READ], THROTTLE_EVENTS[WRITE],
                    KEY_RANGE_THROTTLE_EVENTS[READ], KEY_RANGE_THROTTLE_EVENTS[WRITE])
# Asked per operation that CloudWatch lists for the table (DynamoDB publishes them per TableName + Operation).
OPERATION_METRICS = (THROTTLED_REQUESTS, SYSTEM_ERRORS)

# A partition serves at most this many units per second (DynamoDB's documented per-partition limits).
PARTITION_UNITS_PER_SECOND = {READ: 3000, WRITE: 1000}

DEFAULT_WINDOW_HOURS = 3
DEFAULT_PERIOD = 300
MAX_POINTS_PER_SERIES = 1440

# The thresholds of the rules below, with their defaults (the module's `thresholds` option).
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


# --- the window --------------------------------------------------------------------------------------------------
def validate_window(window_hours, period):
    """Raise ValueError unless period is a positive multiple of 60 and the window holds 1..1440 periods."""
    if period < 60 or period % 60:
        raise ValueError("period must be a multiple of 60 seconds, got %r" % (period,))
    if window_hours <= 0:
        raise ValueError("window_hours must be positive, got %r" % (window_hours,))
    count = int(math.ceil(window_hours * 3600.0 / period))
    if count > MAX_POINTS_PER_SERIES:
        raise ValueError("a window of %s hours holds %d periods of %d s, more than %d: choose a longer period"
                         % (window_hours, count, period, MAX_POINTS_PER_SERIES))


def metric_window(now, window_hours, period):
    """{start, end, period, count}: end is now rounded up to a multiple of period (the current, partial period is
    included), start lies count whole periods earlier; start and end are aware UTC datetimes."""
    end_epoch = int(math.ceil(now.timestamp() / period)) * period
    count = max(1, int(math.ceil(window_hours * 3600.0 / period)))
    start_epoch = end_epoch - count * period
    utc = datetime.timezone.utc
    return dict(start=datetime.datetime.fromtimestamp(start_epoch, utc),
                end=datetime.datetime.fromtimestamp(end_epoch, utc), period=period, count=count)


def period_starts(window):
    return [window["start"] + datetime.timedelta(seconds=window["period"] * index) for index in range(window["count"])]


def time_text(moment, window):
    """"08:55 UTC", or "11-24 08:55 UTC" when the window spans more than one day."""
    if window["end"] - window["start"] > datetime.timedelta(days=1):
        return moment.strftime("%m-%d %H:%M UTC")
    return moment.strftime("%H:%M UTC")


def period_text(window):
    minutes = window["period"] // 60
    return "%d-minute period" % minutes if minutes != 1 else "minute"


# --- metric queries and series -----------------------------------------------------------------------------------
def dimensions_dict(dimensions):
    return dict((dimension["Name"], dimension["Value"]) for dimension in dimensions or [])


def listed_operations(listed_metrics, table_name, metric_name):
    """The operations for which ListMetrics lists metric_name with exactly the dimensions TableName + Operation."""
    operations = set()
    for metric in listed_metrics or []:
        dimensions = dimensions_dict(metric.get("Dimensions"))
        if metric.get("MetricName") == metric_name and set(dimensions) == {"TableName", "Operation"} \
                and dimensions["TableName"] == table_name:
            operations.add(dimensions["Operation"])
    return sorted(operations)


def series_specs(table_name, index_names, listed_metrics):
    """What to ask for one table: [{table, index, operation, metric}], the table's and each GSI's resource
    metrics, then ThrottledRequests and SystemErrors per listed operation."""
    specs = []
    for index in [None] + list(index_names):
        for metric in RESOURCE_METRICS:
            specs.append(dict(table=table_name, index=index, operation=None, metric=metric))
    for metric in OPERATION_METRICS:
        for operation in listed_operations(listed_metrics, table_name, metric):
            specs.append(dict(table=table_name, index=None, operation=operation, metric=metric))
    return specs


def spec_dimensions(spec):
    dimensions = [dict(Name="TableName", Value=spec["table"])]
    if spec["index"]:
        dimensions.append(dict(Name="GlobalSecondaryIndexName", Value=spec["index"]))
    if spec["operation"]:
        dimensions.append(dict(Name="Operation", Value=spec["operation"]))
    return dimensions


def spec_label(spec):
    where = spec["table"] + ("/" + spec["index"] if spec["index"] else "")
    return "%s %s%s" % (where, spec["operation"] + " " if spec["operation"] else "", spec["metric"])


def metric_queries(specs, period):
    """GetMetricData MetricDataQueries, one per spec, ids m0, m1, ... in spec order."""
    return [dict(Id="m%d" % number, Label=spec_label(spec), ReturnData=True,
                 MetricStat=dict(Metric=dict(Namespace=NAMESPACE, MetricName=spec["metric"],
                                             Dimensions=spec_dimensions(spec)),
                                 Period=period, Stat="Sum"))
            for number, spec in enumerate(specs)]


def per_period_values(timestamps, values, window):
    """One value per period of the window (data points summed into their period, 0 where there is none)."""
    slots = [0.0] * window["count"]
    start = window["start"].timestamp()
    for moment, value in zip(timestamps, values):
        slot = int((moment.timestamp() - start) // window["period"])
        if 0 <= slot < window["count"]:
            slots[slot] += value
    return slots


def peak(values):
    """(largest value, its period index); (0.0, None) when every value is 0."""
    best, where = 0.0, None
    for index, value in enumerate(values):
        if value > best:
            best, where = value, index
    return best, where


def build_series(specs, results, window):
    """The specs with their per-period values: [{table, index, operation, metric, label, values, datapoints,
    total, peak, peak_at}] (peak_at: ISO 8601 start of the peak period, None without data)."""
    starts = period_starts(window)
    series = []
    for number, spec in enumerate(specs):
        result = results.get("m%d" % number) or {}
        values = per_period_values(result.get("timestamps") or [], result.get("values") or [], window)
        best, where = peak(values)
        series.append(dict(spec, label=spec_label(spec), values=values, datapoints=len(result.get("values") or []),
                           total=sum(values), peak=best,
                           peak_at=starts[where].isoformat() if where is not None else None))
    return series


class TableSeries:
    """Lookup of one table's series by (index, operation, metric); a series not asked for reads as zeros."""

    def __init__(self, series, window):
        self.window = window
        self.by_key = dict(((s["index"], s["operation"], s["metric"]), s) for s in series)

    def values(self, metric, index=None, operation=None):
        found = self.by_key.get((index, operation, metric))
        return list(found["values"]) if found else [0.0] * self.window["count"]

    def operations(self, metric):
        return sorted(operation for (index, operation, name) in self.by_key
                      if operation and name == metric and index is None)

    def summed(self, metric, indexes=(None,)):
        totals = [0.0] * self.window["count"]
        for index in indexes:
            totals = [a + b for a, b in zip(totals, self.values(metric, index))]
        return totals


# --- describe-table summary, alarms, backups ---------------------------------------------------------------------
def key_text(key_schema, attribute_types):
    return ["%s (%s) %s" % (key["AttributeName"], attribute_types.get(key["AttributeName"], "?"), key["KeyType"])
            for key in sorted(key_schema or [], key=lambda key: key.get("KeyType") != "HASH")]


def billing_mode(table):
    return (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")


def provisioned_capacity(description, mode):
    """{read, write} units per second of a PROVISIONED table or index; None for on-demand."""
    if mode != "PROVISIONED":
        return None
    throughput = description.get("ProvisionedThroughput") or {}
    return {READ: throughput.get("ReadCapacityUnits"), WRITE: throughput.get("WriteCapacityUnits")}


def on_demand_maximum(description):
    """{read, write} of OnDemandThroughput when set (a positive maximum), else None."""
    throughput = description.get("OnDemandThroughput") or {}
    read, write = throughput.get("MaxReadRequestUnits"), throughput.get("MaxWriteRequestUnits")
    if (read or 0) <= 0 and (write or 0) <= 0:
        return None
    return {READ: read if (read or 0) > 0 else None, WRITE: write if (write or 0) > 0 else None}


def index_summary(index, attribute_types, mode):
    projection = index.get("Projection") or {}
    return dict(
        index_name=index.get("IndexName"),
        keys=key_text(index.get("KeySchema"), attribute_types),
        projection=projection.get("ProjectionType"),
        non_key_attributes=projection.get("NonKeyAttributes") or [],
        status=index.get("IndexStatus"),
        provisioned_capacity=provisioned_capacity(index, mode),
        item_count=index.get("ItemCount"),
        size_bytes=index.get("IndexSizeBytes"),
    )


def ttl_text(time_to_live):
    status = (time_to_live or {}).get("TimeToLiveStatus") or "DISABLED"
    attribute = (time_to_live or {}).get("AttributeName")
    return "%s (attribute %s)" % (status, attribute) if attribute and status != "DISABLED" else status


def table_summary(table, time_to_live=None):
    """The describe-table facts a person looks at first (DescribeTable, DescribeTimeToLive)."""
    attribute_types = dict((a["AttributeName"], a["AttributeType"]) for a in table.get("AttributeDefinitions") or [])
    mode = billing_mode(table)
    stream = table.get("StreamSpecification") or {}
    return dict(
        table_name=table.get("TableName"),
        status=table.get("TableStatus"),
        keys=key_text(table.get("KeySchema"), attribute_types),
        billing_mode=mode,
        provisioned_capacity=provisioned_capacity(table, mode),
        on_demand_maximum=on_demand_maximum(table),
        item_count=table.get("ItemCount"),
        size_bytes=table.get("TableSizeBytes"),
        table_class=(table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
        deletion_protection=bool(table.get("DeletionProtectionEnabled")),
        stream=stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        time_to_live=ttl_text(time_to_live),
        global_secondary_indexes=[index_summary(index, attribute_types, mode)
                                  for index in table.get("GlobalSecondaryIndexes") or []],
        local_secondary_indexes=[index_summary(index, attribute_types, mode)
                                 for index in table.get("LocalSecondaryIndexes") or []],
    )


def iso(value):
    return value.isoformat() if isinstance(value, (datetime.datetime, datetime.date)) else value


def backup_summary(backups, continuous_backups):
    """On-demand/AWS Backup/system backups (newest first) and the point-in-time recovery window."""
    ordered = sorted(backups or [], key=lambda backup: iso(backup.get("BackupCreationDateTime")) or "", reverse=True)
    entries = [dict(backup_name=backup.get("BackupName"), backup_arn=backup.get("BackupArn"),
                    created=iso(backup.get("BackupCreationDateTime")), status=backup.get("BackupStatus"),
                    backup_type=backup.get("BackupType"), size_bytes=backup.get("BackupSizeBytes"))
               for backup in ordered]
    pitr = (continuous_backups or {}).get("PointInTimeRecoveryDescription") or {}
    return dict(
        count=len(entries),
        latest=entries[0] if entries else None,
        backups=entries,
        point_in_time_recovery=dict(
            status=pitr.get("PointInTimeRecoveryStatus") or "DISABLED",
            earliest_restorable_time=iso(pitr.get("EarliestRestorableDateTime")),
            latest_restorable_time=iso(pitr.get("LatestRestorableDateTime")),
            recovery_period_in_days=pitr.get("RecoveryPeriodInDays"),
        ),
    )


def alarm_note(alarm):
    """Why an alarm can never fire, when its definition shows it; "" otherwise."""
    dimensions = dimensions_dict(alarm.get("Dimensions"))
    if alarm.get("MetricName") in OPERATION_METRICS and "Operation" not in dimensions:
        return ("DynamoDB publishes %s per TableName and Operation only: this series never receives data, so the "
                "alarm cannot fire" % alarm["MetricName"])
    return ""


def table_alarms(alarms, table_name):
    """The metric alarms on AWS/DynamoDB whose TableName dimension names the table, with their state."""
    found = []
    for alarm in alarms or []:
        dimensions = dimensions_dict(alarm.get("Dimensions"))
        if alarm.get("Namespace") != NAMESPACE or dimensions.get("TableName") != table_name:
            continue
        found.append(dict(
            alarm_name=alarm.get("AlarmName"), state=alarm.get("StateValue"), state_reason=alarm.get("StateReason"),
            state_updated=iso(alarm.get("StateUpdatedTimestamp")), metric_name=alarm.get("MetricName"),
            dimensions=dimensions, statistic=alarm.get("Statistic"), period=alarm.get("Period"),
            evaluation_periods=alarm.get("EvaluationPeriods"), threshold=alarm.get("Threshold"),
            comparison_operator=alarm.get("ComparisonOperator"), note=alarm_note(alarm)))
    return sorted(found, key=lambda alarm: alarm["alarm_name"] or "")


# --- findings ------------------------------------------------------------------------------------------------------
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


def system_errors_finding(summary, series, thresholds):
    """Not one of the guide's four, but one of its key metrics: SystemErrors (HTTP 500 from DynamoDB) summed over
    the operations and the whole window; fires above system_errors (default 0: any)."""
    name = summary["table_name"]
    threshold = thresholds["system_errors"]
    operations = series.operations(SYSTEM_ERRORS)
    per_operation = dict((operation, sum(series.values(SYSTEM_ERRORS, operation=operation)))
                         for operation in operations)
    total = sum(per_operation.values())
    if total <= threshold:
        return finding(name, SYSTEM_ERRORS_PROBLEM, RULE_SYSTEM_ERRORS, False, "system_errors", threshold,
                       total, "Table %s: %s system errors in the window (threshold system_errors = %s)." % (
                           name, number_text(total), number_text(threshold)))
    detail = ", ".join("%s %s" % (operation, number_text(count)) for operation, count in per_operation.items()
                       if count)
    message = ("Table %s: DynamoDB answered %s requests with an internal error (HTTP 500) in the window (%s; more "
               "than system_errors = %s). These are on AWS's side: the SDKs retry them; if they persist, check the "
               "AWS Health Dashboard." % (name, number_text(total), detail, number_text(threshold)))
    return finding(name, SYSTEM_ERRORS_PROBLEM, RULE_SYSTEM_ERRORS, True, "system_errors", threshold,
                   total, message)


def table_findings(summary, series, thresholds):
    """Every rule evaluated for one table, fired or not, in PROBLEMS order."""
    return ([throttling_finding(summary, series, thresholds),
             key_range_finding(summary, series, thresholds),
             headroom_finding(summary, series, thresholds)]
            + gsi_throttling_findings(summary, series, thresholds)
            + [cost_spike_finding(summary, series, thresholds),
               system_errors_finding(summary, series, thresholds)])


def merged_thresholds(overrides):
    """DEFAULT_THRESHOLDS with the given values (None = default) over them."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    for key, value in (overrides or {}).items():
        if key not in thresholds:
            raise ValueError("unknown threshold %r; known: %s" % (key, ", ".join(sorted(DEFAULT_THRESHOLDS))))
        if value is not None:
            thresholds[key] = value
    return thresholds


# --- one table, and the human summary --------------------------------------------------------------------------
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


def window_result(window):
    return dict(start=window["start"].isoformat(), end=window["end"].isoformat(), period=window["period"],
                periods=window["count"], hours=round(window["count"] * window["period"] / 3600.0, 2))


def bytes_text(size):
    size = size or 0
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return ("%d %s" % (size, unit)) if unit == "bytes" else "%.1f %s" % (size, unit)
        size /= 1024.0
    return "%d bytes" % size  # pragma: no cover


def capacity_text(summary):
    if summary["provisioned_capacity"]:
        return "PROVISIONED %s RCU / %s WCU" % (number_text(summary["provisioned_capacity"][READ]),
                                                number_text(summary["provisioned_capacity"][WRITE]))
    maximum = summary.get("on_demand_maximum")
    if maximum:
        return "PAY_PER_REQUEST (max %s read / %s write units/s)" % (number_text(maximum[READ]),
                                                                     number_text(maximum[WRITE]))
    return summary["billing_mode"]


def metric_line(series, window):
    """"consumed write 300 (peak 300 at 08:55 UTC)" for each series with data; the others summed up as zero."""
    parts = []
    quiet = 0
    for item in series:
        if item["total"] == 0:
            quiet += 1
            continue
        name = item["metric"] if not item["index"] else "%s %s" % (item["index"], item["metric"])
        if item["operation"]:
            name = "%s %s" % (item["operation"], item["metric"])
        peak_at = datetime.datetime.fromisoformat(item["peak_at"])
        parts.append("%s %s (peak %s at %s)" % (name, number_text(item["total"]), number_text(item["peak"]),
                                                time_text(peak_at, window)))
    if quiet:
        parts.append("%d more series all zero" % quiet)
    return "; ".join(parts)


def quiet_text(item):
    """A rule that did not fire, in a few words: "throttling (peak 0 per period, threshold 5)"."""
    observed = item["observed"]
    label = item["problem"] + (" " + item["index"] if item["index"] else "")
    if item["rule"] == RULE_KEY_RANGE:
        label += ", partition limit"
        value = "peak %s per period" % number_text(observed)
    elif item["rule"] == RULE_HEADROOM:
        label += ", below capacity"
        value = "no evidence" if observed is None else "lowest use %s%%" % number_text(observed)
    elif item["problem"] == COST_SPIKE:
        value = ("traffic from a median of 0" if observed is None else "no traffic" if observed == 0 else
                 "peak %s times the median" % number_text(observed))
    elif item["problem"] == SYSTEM_ERRORS_PROBLEM:
        value = "%s in the window" % number_text(observed)
    else:
        value = "peak %s per period" % number_text(observed)
    return "%s (%s, threshold %s)" % (label, value, number_text(item["threshold"]))


def summary_lines(tables, window, stack_name=None, chart_path=None):
    """A compact report: the window, the findings that fired, then per table its facts, metrics, alarms, backups
    and the rules that found nothing."""
    fired = [item for table in tables for item in table["findings"] if item["fired"]]
    evaluated = sum(len(table["findings"]) for table in tables)
    scope = "stack %s, " % stack_name if stack_name else ""
    lines = ["Diagnosis of %d table(s) (%s%s to %s, %s h in periods of %d s)" % (
        len(tables), scope, window["start"].strftime("%Y-%m-%d %H:%M"), window["end"].strftime("%Y-%m-%d %H:%M UTC"),
        number_text(round(window["count"] * window["period"] / 3600.0, 2)), window["period"])]
    if fired:
        lines.append("FINDINGS: %d of %d rules fired" % (len(fired), evaluated))
        for item in fired:
            lines.append("  [%s%s] %s" % (item["problem"], ", hint" if item["hint"] else "", item["message"]))
    else:
        lines.append("FINDINGS: none (%d rules checked)" % evaluated)
    for table in tables:
        summary = table["summary"]
        lines.append("TABLE %s: %s, key %s, %s, %s items (%s), class %s, deletion protection %s, TTL %s, "
                     "stream %s" % (summary["table_name"], summary["status"], ", ".join(summary["keys"]),
                                    capacity_text(summary), number_text(summary["item_count"] or 0),
                                    bytes_text(summary["size_bytes"]), summary["table_class"],
                                    "on" if summary["deletion_protection"] else "off", summary["time_to_live"],
                                    summary["stream"] or "off"))
        for index in summary["global_secondary_indexes"]:
            lines.append("  GSI %s: keys %s, projection %s, %s" % (index["index_name"], ", ".join(index["keys"]),
                                                                   index["projection"], index["status"] or "-"))
        lines.append("  metrics (window total): %s" % (metric_line(table["metrics"], window) or "none"))
        states = {}
        for alarm in table["alarms"]:
            states[alarm["state"]] = states.get(alarm["state"], 0) + 1
        lines.append("  alarms: %s" % (", ".join("%d %s" % (count, state) for state, count in sorted(states.items()))
                                       or "none"))
        for alarm in table["alarms"]:
            if alarm["note"]:
                lines.append("    %s %s: %s" % (alarm["alarm_name"], alarm["state"], alarm["note"]))
            elif alarm["state"] == "ALARM":
                lines.append("    %s ALARM (%s)" % (alarm["alarm_name"], alarm["state_reason"]))
        backups = table["backups"]
        pitr = backups["point_in_time_recovery"]
        latest = backups["latest"]
        lines.append("  backups: %s; point-in-time recovery %s%s" % (
            "%d, latest %s (%s, %s)" % (backups["count"], latest["backup_name"], latest["created"], latest["status"])
            if latest else "none",
            pitr["status"],
            ", restorable from %s to %s" % (pitr["earliest_restorable_time"], pitr["latest_restorable_time"])
            if pitr["status"] == "ENABLED" else " (no restore window)"))
        quiet = [item for item in table["findings"] if not item["fired"]]
        if quiet:
            lines.append("  nothing found: %s" % "; ".join(quiet_text(item) for item in quiet))
    if chart_path:
        lines.append("Chart: %s" % chart_path)
    return lines


# --- the chart's content -------------------------------------------------------------------------------------------
def chart_panels(table, thresholds):
    """Two panels per table for charts.render_svg: consumed capacity, and throttling and errors (with the
    throttle_events threshold as a line)."""
    capacity_series, trouble_series = [], []
    for item in table["metrics"]:
        where = ("%s " % item["index"]) if item["index"] else ""
        if item["operation"]:
            where = "%s " % item["operation"]
        entry = dict(label="%s%s (total %s)" % (where, item["metric"], number_text(item["total"])),
                     values=item["values"], dashed=bool(item["index"]))
        if item["metric"] in (CONSUMED[READ], CONSUMED[WRITE]):
            if item["index"] is None or item["total"] > 0:
                capacity_series.append(entry)
        elif item["metric"] in (THROTTLE_EVENTS[READ], THROTTLE_EVENTS[WRITE]) and item["index"] is None:
            trouble_series.append(entry)
        elif item["total"] > 0:
            trouble_series.append(entry)
    return [
        dict(title="%s: consumed capacity (units per period)" % table["table_name"], series=capacity_series),
        dict(title="%s: throttle events and system errors (per period)" % table["table_name"],
             series=trouble_series,
             threshold=dict(value=thresholds["throttle_events"],
                            label="throttle_events threshold %s" % number_text(thresholds["throttle_events"]))),
    ]
