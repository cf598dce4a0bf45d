# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to ask CloudWatch about one table, and its answer as one value per metric period.

Metrics (namespace AWS/DynamoDB, statistic Sum, one value per period of the window, zero where CloudWatch has
no data point: DynamoDB publishes these only when something happens):

* per table and per global secondary index (dimensions TableName [+ GlobalSecondaryIndexName]):
  ConsumedReadCapacityUnits, ConsumedWriteCapacityUnits, ReadThrottleEvents, WriteThrottleEvents,
  ReadKeyRangeThroughputThrottleEvents, WriteKeyRangeThroughputThrottleEvents;
* per table and operation (TableName + Operation), for the operations CloudWatch lists for the table:
  ThrottledRequests, SystemErrors (DynamoDB publishes these two per operation only).

The rules read the series through TableSeries, where a series nobody asked for reads as zeros: a rule need not
know which operations CloudWatch listed.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.window import period_starts

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
