# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin read-only CloudWatch wrappers for the diagnosis: retried, paginated, absence returned as data.

Each takes a client wrapped with RetryingBotoClientWrapper (module.client(..., retry_decorator=...)) and raises
MonitoringError on any failure, for main() to report. GetMetricData is batched: up to 500 queries per call (the
API's limit), so all the metrics of all tables usually cost one call, plus one per further page of data points.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import all_pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.monitoring import MonitoringError

DYNAMODB_NAMESPACE = "AWS/DynamoDB"
# GetMetricData takes at most 500 MetricDataQueries per call.
MAX_QUERIES_PER_CALL = 500


def list_table_metrics(client, table_name, namespace=DYNAMODB_NAMESPACE):
    """The Metric dicts ({MetricName, Dimensions}) of the namespace that have a TableName=table_name dimension:
    the series CloudWatch holds for the table, its indexes and its operations (ListMetrics lists a series that
    received data in the last two weeks; a new one can take up to 15 minutes to be listed)."""
    return all_pages(client.list_metrics, "Metrics", MonitoringError,
                     "Failed to list the CloudWatch metrics of table %s" % table_name,
                     Namespace=namespace, Dimensions=[dict(Name="TableName", Value=table_name)])


def get_metric_data(client, queries, start_time, end_time):
    """{query id: {timestamps, values, status_code, messages}} for all queries (MetricDataQueries), in batches of
    500 per call, each followed over its NextToken pages; timestamps ascending. Also returns the number of
    calls made: (results, calls)."""
    results = {}
    calls = 0
    for start in range(0, len(queries), MAX_QUERIES_PER_CALL):
        for response in pages(client.get_metric_data, MonitoringError,
                              "Failed to get the CloudWatch metric data (%d queries)" % len(queries),
                              MetricDataQueries=queries[start:start + MAX_QUERIES_PER_CALL], StartTime=start_time,
                              EndTime=end_time, ScanBy="TimestampAscending"):
            calls += 1
            for result in response.get("MetricDataResults", []):
                entry = results.setdefault(result["Id"], dict(timestamps=[], values=[], status_code=None, messages=[]))
                entry["timestamps"].extend(result.get("Timestamps", []))
                entry["values"].extend(result.get("Values", []))
                entry["status_code"] = result.get("StatusCode")
                entry["messages"].extend(message.get("Value") for message in result.get("Messages", []))
    return results, calls


def describe_metric_alarms(client):
    """Every metric alarm of the account and region (DescribeAlarms over all pages); the caller filters."""
    return all_pages(client.describe_alarms, "MetricAlarms", MonitoringError, "Failed to describe the CloudWatch alarms",
                     AlarmTypes=["MetricAlarm"])
