"""diagnose-dynamodb.yml against the emulator: read-only (nothing in AWS changes), writes an SVG chart, and
after throttle data points are put into the emulator's CloudWatch the throttling, GSI throttling and hot
partition findings fire, naming the threshold; higher thresholds (variables) silence them.

The emulator's DynamoDB publishes no metrics of its own, but its CloudWatch accepts PutMetricData in the
AWS/DynamoDB namespace (AWS refuses that namespace), so the tests write the data points DynamoDB would.
"""
import datetime
import xml.etree.ElementTree as ET

import boto3

from conftest import ENDPOINT, REGION

# Own stack, table, alarms and log group, so the team stack of the other tests is never touched.
STACK = "it-diagnose"
TABLE = "dgn-events"
GSI = "sessionId-index"
SETTINGS = dict(
    dynamodb_stack_name=STACK, dynamodb_stack_table_name_prefix="dgn-", dynamodb_stack_alarm_name_prefix="DGN-",
    dynamodb_stack_log_group_name="/aws/dynamodb/dgn-tables",
    dynamodb_stack_tables=[dict(name=TABLE, hash_key=dict(name="eventId", type="S"), global_secondary_indexes=[
        dict(name=GSI, hash_key=dict(name="sessionId", type="S"), projection="KEYS_ONLY")])])
SVG = "{http://www.w3.org/2000/svg}"


def client(service):
    return boto3.client(service, region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                        aws_secret_access_key="test")


def flat(text):
    return " ".join(text.split())


def aws_state():
    """What a diagnosis could change: the stack, the table and its settings, backups, alarms (with states)."""
    cfn, ddb, cloudwatch = client("cloudformation"), client("dynamodb"), client("cloudwatch")
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    table = ddb.describe_table(TableName=TABLE)["Table"]
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix="DGN-")["MetricAlarms"]
    return dict(
        stack=(stack["StackStatus"], stack.get("LastUpdatedTime"), stack.get("Outputs")),
        resources=sorted((r["LogicalResourceId"], r["ResourceStatus"])
                         for r in cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]),
        table=table,
        ttl=ddb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"],
        continuous_backups=ddb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"],
        backups=ddb.list_backups(TableName=TABLE)["BackupSummaries"],
        alarms=sorted((a["AlarmName"], a["StateValue"], a.get("StateUpdatedTimestamp")) for a in alarms),
    )


def put_throttling():
    """12 write throttle events on the table and 7 on its GSI ten minutes ago, 3 throttled PutItem requests, and
    2 reads throttled at a partition's own limit."""
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    table = [dict(Name="TableName", Value=TABLE)]

    def point(metric, value, dimensions):
        return dict(MetricName=metric, Dimensions=dimensions, Timestamp=moment, Value=value, Unit="Count")
    client("cloudwatch").put_metric_data(Namespace="AWS/DynamoDB", MetricData=[
        point("WriteThrottleEvents", 12, table),
        point("ConsumedWriteCapacityUnits", 40, table),
        point("WriteThrottleEvents", 7, table + [dict(Name="GlobalSecondaryIndexName", Value=GSI)]),
        point("ThrottledRequests", 3, table + [dict(Name="Operation", Value="PutItem")]),
        point("ReadKeyRangeThroughputThrottleEvents", 2, table),
    ])


def test_diagnose_is_read_only_writes_a_chart_and_finds_the_throttling(run_playbook, tmp_path):
    deploy = run_playbook("deploy-dynamodb.yml", extra_vars=SETTINGS)
    assert deploy.returncode == 0, deploy.output
    chart = tmp_path / "charts" / "diagnose.svg"
    settings = dict(SETTINGS, dynamodb_stack_diagnose_chart_path=str(chart),
                    dynamodb_stack_diagnose_fail_on_findings=True)
    before = aws_state()

    quiet = run_playbook("diagnose-dynamodb.yml", extra_vars=settings)

    assert quiet.returncode == 0, quiet.output
    assert quiet.changed == 0
    assert "FINDINGS: none (6 rules checked)" in quiet.output
    assert "TABLE dgn-events: ACTIVE, key eventId (S) HASH, PAY_PER_REQUEST" in quiet.output
    assert "GSI sessionId-index: keys sessionId (S) HASH, projection KEYS_ONLY" in quiet.output
    assert "alarms: 5 INSUFFICIENT_DATA" in quiet.output
    assert "backups: none; point-in-time recovery DISABLED (no restore window)" in quiet.output
    root = ET.parse(str(chart)).getroot()
    assert root.tag == SVG + "svg"
    assert [text.text for text in root.iter(SVG + "text")].count("dgn-events: consumed capacity (units per period)") \
        == 1
    assert len(root.findall(SVG + "polyline")) == 4  # consumed read/write, read/write throttle events

    put_throttling()
    found = run_playbook("diagnose-dynamodb.yml", extra_vars=settings)

    assert found.returncode != 0, found.output  # fail_on_findings
    message = flat(found.output)
    assert "[throttling] Table dgn-events: 12 write throttle events in the 5-minute period from" in message
    assert "(more than throttle_events = 5)" in message
    assert "Throttled requests per operation in the window: PutItem 3." in message
    assert "[GSI throttling] Index sessionId-index of table dgn-events: 7 write throttle events" in message
    assert "(more than gsi_throttle_events = 5)" in message
    assert "[hot partitions, hint] Table dgn-events: 2 requests were throttled by a single partition's limit" \
        in message
    assert "(more than hot_partition_key_range_events = 0). Hint:" in message
    assert "FINDINGS: 3 of 6 rules fired" in found.output
    labels = [text.text for text in ET.parse(str(chart)).getroot().iter(SVG + "text")]
    assert "WriteThrottleEvents (total 12)" in labels
    assert "sessionId-index WriteThrottleEvents (total 7)" in labels
    assert "throttle_events threshold 5" in labels

    stricter = run_playbook("diagnose-dynamodb.yml", "--check", extra_vars=dict(
        SETTINGS, dynamodb_stack_diagnose_chart_path="", dynamodb_stack_diagnose_window_hours=1,
        dynamodb_stack_diagnose_thresholds=dict(throttle_events=20, gsi_throttle_events=20,
                                                hot_partition_key_range_events=2)))

    assert stricter.returncode == 0, stricter.output
    assert "FINDINGS: none (6 rules checked)" in stricter.output
    assert "throttling (peak 12 per period, threshold 20)" in stricter.output
    assert "hot partitions, partition limit (peak 2 per period, threshold 2)" in stricter.output
    assert aws_state() == before
