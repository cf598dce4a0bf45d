"""The team's two tables as AWS answers the diagnosis's reads, one stub helper per operation."""
import datetime

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose import diagnosis as d
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 25, 9, 2, 30, tzinfo=UTC)
WINDOW = d.metric_window(NOW, 3, 300)
GSI = "sessionId-index"
READ_OPERATIONS = ("Describe", "List", "Get")


def listed_put_item_throttles():
    return [dict(Namespace="AWS/DynamoDB", MetricName="ThrottledRequests",
                 Dimensions=[dict(Name="TableName", Value=team.SESSIONS), dict(Name="Operation", Value="PutItem")])]


def stub_table_reads(clients, table, listed=(), backups=(), pitr_enabled=False):
    """DescribeTable, DescribeTimeToLive, DescribeContinuousBackups, ListBackups, ListMetrics of one table."""
    dynamodb = clients.stubber("dynamodb")
    name = table["TableName"]
    dynamodb.add_response("describe_table", dict(Table=table), dict(TableName=name))
    dynamodb.add_response("describe_time_to_live", dict(TimeToLiveDescription=team.time_to_live(False)),
                          dict(TableName=name))
    dynamodb.add_response("describe_continuous_backups",
                          dict(ContinuousBackupsDescription=team.continuous_backups(pitr_enabled)),
                          dict(TableName=name))
    dynamodb.add_response("list_backups", dict(BackupSummaries=list(backups)), dict(TableName=name, BackupType="ALL"))
    clients.stubber("cloudwatch").add_response(
        "list_metrics", dict(Metrics=list(listed)),
        dict(Namespace="AWS/DynamoDB", Dimensions=[dict(Name="TableName", Value=name)]))


def team_specs():
    return (d.series_specs(team.RESULTS, [GSI], []) +
            d.series_specs(team.SESSIONS, [], listed_put_item_throttles()))


def stub_metric_data(clients, results, window=WINDOW):  # pylint: disable=dangerous-default-value
    """One GetMetricData for all series of both tables; results: {(table, index, operation, metric): [(period
    number, value)]}."""
    specs = team_specs()
    starts = d.period_starts(window)
    answers = []
    for number, spec in enumerate(specs):
        points = results.get((spec["table"], spec["index"], spec["operation"], spec["metric"]), [])
        answers.append(dict(Id="m%d" % number, Label=d.spec_label(spec), StatusCode="Complete",
                            Timestamps=[starts[slot] for slot, dummy in points], Values=[value for dummy, value in points]))
    clients.stubber("cloudwatch").add_response(
        "get_metric_data", dict(MetricDataResults=answers),
        dict(MetricDataQueries=d.metric_queries(specs, window["period"]), StartTime=window["start"],
             EndTime=window["end"], ScanBy="TimestampAscending"))


def stub_alarms(clients, alarms=None):
    clients.stubber("cloudwatch").add_response(
        "describe_alarms", dict(MetricAlarms=[team.team_alarm()] if alarms is None else alarms),
        dict(AlarmTypes=["MetricAlarm"]))


def stub_team_diagnosis(clients, results=None, backups=(), pitr_enabled=False):
    """Every read of diagnose() for stack ai-chef-dynamodb, in order."""
    team.stub_describe_stack(clients)
    team.stub_list_stack_resources(clients)
    stub_table_reads(clients, team.results_table(), backups=backups, pitr_enabled=pitr_enabled)
    stub_table_reads(clients, team.sessions_table(), listed=listed_put_item_throttles(), pitr_enabled=pitr_enabled)
    stub_metric_data(clients, results or {})
    stub_alarms(clients)
