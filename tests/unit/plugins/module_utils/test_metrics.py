"""metrics: CloudWatch wrappers for the diagnosis (Stubber on the client that RetryingBotoClientWrapper wraps)."""
import datetime

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.monitoring import MonitoringError
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose import metrics
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import StubbedClient

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
END = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TABLE = "ai-chef-sessions"


@pytest.fixture
def cloudwatch(api_calls):
    stubbed = StubbedClient("cloudwatch", api_calls)
    with stubbed.stubber:
        yield stubbed
        stubbed.stubber.assert_no_pending_responses()


def query(number):
    return dict(Id="m%d" % number, ReturnData=True, MetricStat=dict(
        Metric=dict(Namespace="AWS/DynamoDB", MetricName="ConsumedReadCapacityUnits",
                    Dimensions=[dict(Name="TableName", Value="t%d" % number)]), Period=300, Stat="Sum"))


def expected_get(queries, token=None):
    params = dict(MetricDataQueries=queries, StartTime=START, EndTime=END, ScanBy="TimestampAscending")
    if token:
        params["NextToken"] = token
    return params


class TestListTableMetrics:
    def test_list_table_metrics_all_pages_filtered_by_table(self, cloudwatch):
        dimensions = [dict(Name="TableName", Value=TABLE)]
        first = [dict(Namespace="AWS/DynamoDB", MetricName="ThrottledRequests",
                      Dimensions=dimensions + [dict(Name="Operation", Value="PutItem")])]
        second = [dict(Namespace="AWS/DynamoDB", MetricName="ConsumedReadCapacityUnits", Dimensions=dimensions)]
        expected = dict(Namespace="AWS/DynamoDB", Dimensions=dimensions)
        cloudwatch.stubber.add_response("list_metrics", dict(Metrics=first, NextToken="t2"), expected)
        cloudwatch.stubber.add_response("list_metrics", dict(Metrics=second), dict(expected, NextToken="t2"))

        assert metrics.list_table_metrics(cloudwatch.wrapped(), TABLE) == first + second

    def test_list_table_metrics_access_denied_raises(self, cloudwatch):
        cloudwatch.stubber.add_client_error("list_metrics", "AccessDenied", http_status_code=403)
        with pytest.raises(MonitoringError, match="Failed to list the CloudWatch metrics of table ai-chef-sessions"):
            metrics.list_table_metrics(cloudwatch.wrapped(), TABLE)


class TestGetMetricData:
    def test_get_metric_data_one_call_for_up_to_500_queries(self, cloudwatch):
        queries = [query(n) for n in range(500)]
        cloudwatch.stubber.add_response("get_metric_data", dict(MetricDataResults=[
            dict(Id="m7", Label="m7", Timestamps=[START], Values=[4.0], StatusCode="Complete")]),
            expected_get(queries))

        results, calls = metrics.get_metric_data(cloudwatch.wrapped(), queries, START, END)

        assert calls == 1
        assert results["m7"] == dict(timestamps=[START], values=[4.0], status_code="Complete", messages=[])

    def test_get_metric_data_batches_beyond_500_and_follows_pages(self, cloudwatch):
        queries = [query(n) for n in range(501)]
        later = START + datetime.timedelta(minutes=5)
        cloudwatch.stubber.add_response("get_metric_data", dict(NextToken="p2", MetricDataResults=[
            dict(Id="m0", Timestamps=[START], Values=[1.0], StatusCode="PartialData")]), expected_get(queries[:500]))
        cloudwatch.stubber.add_response("get_metric_data", dict(MetricDataResults=[
            dict(Id="m0", Timestamps=[later], Values=[2.0], StatusCode="Complete",
                 Messages=[dict(Code="x", Value="note")])]), expected_get(queries[:500], "p2"))
        cloudwatch.stubber.add_response("get_metric_data", dict(MetricDataResults=[
            dict(Id="m500", Timestamps=[], Values=[], StatusCode="Complete")]), expected_get(queries[500:]))

        results, calls = metrics.get_metric_data(cloudwatch.wrapped(), queries, START, END)

        assert calls == 3
        assert results["m0"] == dict(timestamps=[START, later], values=[1.0, 2.0], status_code="Complete",
                                     messages=["note"])
        assert results["m500"]["values"] == []

    def test_get_metric_data_error_raises(self, cloudwatch):
        cloudwatch.stubber.add_client_error("get_metric_data", "InvalidParameterValue")
        with pytest.raises(MonitoringError, match=r"Failed to get the CloudWatch metric data \(1 queries\)"):
            metrics.get_metric_data(cloudwatch.wrapped(), [query(0)], START, END)


class TestDescribeMetricAlarms:
    def test_describe_metric_alarms_all_pages(self, cloudwatch):
        alarm = dict(AlarmName="a", Namespace="AWS/DynamoDB", MetricName="ReadThrottleEvents", StateValue="OK")
        cloudwatch.stubber.add_response("describe_alarms", dict(MetricAlarms=[alarm], NextToken="n"),
                                        dict(AlarmTypes=["MetricAlarm"]))
        cloudwatch.stubber.add_response("describe_alarms", dict(MetricAlarms=[dict(alarm, AlarmName="b")]),
                                        dict(AlarmTypes=["MetricAlarm"], NextToken="n"))

        assert [a["AlarmName"] for a in metrics.describe_metric_alarms(cloudwatch.wrapped())] == ["a", "b"]

    def test_describe_metric_alarms_throttled_then_answers(self, cloudwatch, monkeypatch):
        monkeypatch.setattr("time.sleep", lambda _seconds: None)
        cloudwatch.stubber.add_client_error("describe_alarms", "Throttling", http_status_code=400)
        cloudwatch.stubber.add_response("describe_alarms", dict(MetricAlarms=[]), dict(AlarmTypes=["MetricAlarm"]))

        assert metrics.describe_metric_alarms(cloudwatch.wrapped()) == []
        assert cloudwatch.calls == ["DescribeAlarms", "DescribeAlarms"]
