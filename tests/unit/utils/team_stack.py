"""The team's stack as AWS answers it (boto3 shapes), Stubber-backed clients, and stub helpers.

Shared by the dynamodb_stack_info and dynamodb_stack_verify tests and by test_verification.py. Every helper
queues one response with expected_params, so a call the code did not mean to make fails the test; botocore
validates each fake response against the service model.
"""
import copy
import datetime
import json

import boto3
from botocore.config import Config
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import SCHEMA_PATH

TEAM_TEMPLATE_PATH = SCHEMA_PATH

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK_NAME = "ai-chef-dynamodb"
STACK_ID = "arn:aws:cloudformation:us-east-1:%s:stack/ai-chef-dynamodb/3f69d208-b5b2-4ebd-89da-d6901b1f1252" % ACCOUNT
WHEN = datetime.datetime(2026, 11, 25, 8, 35, 25, tzinfo=datetime.timezone.utc)
SESSIONS = "ai-chef-sessions"
RESULTS = "ai-chef-results"
ALARM = "AI-Chef-DynamoDB-SessionsTable-Errors"
LOG_GROUP = "/aws/dynamodb/ai-chef-tables"
# Zero delays: a retried call in a test does not sleep.
NO_WAIT_BACKOFF = dict(backoff_retries=3, backoff_delay=0, backoff_max_delay=0)


def team_template_body():
    with open(TEAM_TEMPLATE_PATH) as handle:
        return handle.read()


def table_arn(name):
    return "arn:aws:dynamodb:us-east-1:%s:table/%s" % (ACCOUNT, name)


# --- AWS answers for the deployed team stack --------------------------------------------------------------------
def team_stack(status="CREATE_COMPLETE"):
    outputs = [
        ("SessionsTableName", SESSIONS, "SessionsTable"),
        ("ResultsTableName", RESULTS, "ResultsTable"),
        ("SessionsTableArn", table_arn(SESSIONS), "SessionsTableArn"),
        ("ResultsTableArn", table_arn(RESULTS), "ResultsTableArn"),
    ]
    return dict(
        StackId=STACK_ID, StackName=STACK_NAME, Description="AI Chef DynamoDB Tables Schema", Parameters=[],
        CreationTime=WHEN, LastUpdatedTime=WHEN, StackStatus=status, DisableRollback=False,
        Capabilities=["CAPABILITY_IAM"], Tags=[{"Key": "Service", "Value": "ai-chef"}],
        EnableTerminationProtection=False,
        Outputs=[dict(OutputKey=key, OutputValue=value, ExportName="%s-%s" % (STACK_NAME, export))
                 for key, value, export in outputs])


def team_resources(table_status="CREATE_COMPLETE"):
    resources = [
        ("AiChefResultsTable", RESULTS, "AWS::DynamoDB::Table", table_status),
        ("AiChefSessionsTable", SESSIONS, "AWS::DynamoDB::Table", table_status),
        ("DynamoDBLogGroup", LOG_GROUP, "AWS::Logs::LogGroup", "CREATE_COMPLETE"),
        ("SessionsTableErrorAlarm", ALARM, "AWS::CloudWatch::Alarm", "CREATE_COMPLETE"),
    ]
    return [dict(LogicalResourceId=logical_id, PhysicalResourceId=physical_id, ResourceType=resource_type,
                 LastUpdatedTimestamp=WHEN, ResourceStatus=status)
            for logical_id, physical_id, resource_type, status in resources]


def team_exports():
    return [dict(ExportingStackId=STACK_ID, Name="%s-%s" % (STACK_NAME, key), Value=value)
            for key, value in (("SessionsTable", SESSIONS), ("ResultsTable", RESULTS),
                               ("SessionsTableArn", table_arn(SESSIONS)), ("ResultsTableArn", table_arn(RESULTS)))]


def _table(name, attributes, key, indexes=None):
    table = dict(
        TableName=name, TableArn=table_arn(name), TableId="0b1c2d3e-0000-4000-8000-%012d" % len(name),
        TableStatus="ACTIVE", CreationDateTime=WHEN, TableSizeBytes=0, ItemCount=0,
        AttributeDefinitions=[dict(AttributeName=a, AttributeType="S") for a in attributes],
        KeySchema=[dict(AttributeName=key, KeyType="HASH")],
        ProvisionedThroughput=dict(ReadCapacityUnits=0, WriteCapacityUnits=0),
        BillingModeSummary=dict(BillingMode="PAY_PER_REQUEST"), DeletionProtectionEnabled=False)
    if indexes:
        table["GlobalSecondaryIndexes"] = indexes
    return table


def sessions_table():
    return _table(SESSIONS, ["sessionId"], "sessionId")


def results_table():
    return _table(RESULTS, ["resultId", "sessionId"], "resultId", indexes=[dict(
        IndexName="sessionId-index", KeySchema=[dict(AttributeName="sessionId", KeyType="HASH")],
        Projection=dict(ProjectionType="ALL"), IndexStatus="ACTIVE")])


def time_to_live(enabled):
    if enabled:
        return dict(TimeToLiveStatus="ENABLED", AttributeName="TTL")
    return dict(TimeToLiveStatus="DISABLED")


def continuous_backups(enabled):
    description = dict(PointInTimeRecoveryStatus="ENABLED" if enabled else "DISABLED")
    if enabled:
        description.update(EarliestRestorableDateTime=WHEN, LatestRestorableDateTime=WHEN, RecoveryPeriodInDays=35)
    return dict(ContinuousBackupsStatus="ENABLED", PointInTimeRecoveryDescription=description)


def team_alarm(**overrides):
    alarm = dict(
        AlarmName=ALARM, AlarmArn="arn:aws:cloudwatch:us-east-1:%s:alarm:%s" % (ACCOUNT, ALARM),
        AlarmDescription="Error monitoring for Sessions DynamoDB Table", ActionsEnabled=True, OKActions=[],
        AlarmActions=[], InsufficientDataActions=[], StateValue="OK", StateReason="Threshold not crossed",
        StateUpdatedTimestamp=WHEN, MetricName="ThrottledRequests", Namespace="AWS/DynamoDB", Statistic="Sum",
        Dimensions=[dict(Name="TableName", Value=SESSIONS)], Period=300, EvaluationPeriods=1, Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
    alarm.update(overrides)
    return alarm


def team_log_group(retention=7):
    group = dict(logGroupName=LOG_GROUP, creationTime=1795595725046, metricFilterCount=0, storedBytes=0,
                 arn="arn:aws:logs:us-east-1:%s:log-group:%s:*" % (ACCOUNT, LOG_GROUP))
    if retention is not None:
        group["retentionInDays"] = retention
    return group


# --- Stubber-backed clients -------------------------------------------------------------------------------------
_SESSION = []


def _session():
    """One boto3 session for the run: its loader caches the service models, so each client is cheap."""
    if not _SESSION:
        _SESSION.append(boto3.session.Session(aws_access_key_id="AKIDTESTTESTTESTTEST",
                                              aws_secret_access_key="dummy-secret", region_name=REGION))
    return _SESSION[0]


class StubbedClients:
    """callable(service) -> the client the code under test gets (a RetryingBotoClientWrapper, as
    module.client(service, retry_decorator=...) returns), over a real boto3 client with an active Stubber.

    stubber(service) is that client's Stubber, for queueing responses; requested lists the services the code
    asked for, in order.
    """

    def __init__(self):
        self.stubbers = {}
        self.wrapped = {}
        self.requested = []

    def _client(self, service):
        if service not in self.wrapped:
            raw = _session().client(service, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
            stubber = Stubber(raw)
            stubber.activate()
            self.stubbers[service] = stubber
            self.wrapped[service] = RetryingBotoClientWrapper(raw, retry_decorator(NO_WAIT_BACKOFF))
        return self.wrapped[service]

    def __call__(self, service):
        self.requested.append(service)
        return self._client(service)

    def stubber(self, service):
        self._client(service)
        return self.stubbers[service]

    def close(self):
        for stubber in self.stubbers.values():
            stubber.deactivate()

    def assert_no_pending_responses(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


# --- stub helpers: one operation each ---------------------------------------------------------------------------
def stub_describe_stack(clients, stack=None, stack_name=STACK_NAME):
    clients.stubber("cloudformation").add_response(
        "describe_stacks", dict(Stacks=[stack or team_stack()]), dict(StackName=stack_name))


def stub_stack_absent(clients, stack_name=STACK_NAME):
    clients.stubber("cloudformation").add_client_error(
        "describe_stacks", service_error_code="ValidationError", http_status_code=400,
        service_message="Stack with id %s does not exist" % stack_name, expected_params=dict(StackName=stack_name))


def stub_list_stack_resources(clients, resources=None):
    clients.stubber("cloudformation").add_response(
        "list_stack_resources", dict(StackResourceSummaries=team_resources() if resources is None else resources),
        dict(StackName=STACK_NAME))


def stub_list_exports(clients, exports=None, next_token=None, token_sent=None):
    response = dict(Exports=team_exports() if exports is None else exports)
    if next_token:
        response["NextToken"] = next_token
    clients.stubber("cloudformation").add_response(
        "list_exports", response, dict(NextToken=token_sent) if token_sent else {})


def stub_table(clients, table, ttl_enabled=False, pitr_enabled=False):
    """DescribeTable, DescribeTimeToLive, DescribeContinuousBackups of one existing table."""
    stubber = clients.stubber("dynamodb")
    name = table["TableName"]
    stubber.add_response("describe_table", dict(Table=table), dict(TableName=name))
    stubber.add_response("describe_time_to_live", dict(TimeToLiveDescription=time_to_live(ttl_enabled)),
                         dict(TableName=name))
    stubber.add_response("describe_continuous_backups",
                         dict(ContinuousBackupsDescription=continuous_backups(pitr_enabled)), dict(TableName=name))


def stub_table_absent(clients, name):
    clients.stubber("dynamodb").add_client_error(
        "describe_table", service_error_code="ResourceNotFoundException", http_status_code=400,
        service_message="Requested resource not found: Table: %s not found" % name,
        expected_params=dict(TableName=name))


def stub_describe_alarms(clients, alarms=None, names=(ALARM,)):
    clients.stubber("cloudwatch").add_response(
        "describe_alarms", dict(MetricAlarms=[team_alarm()] if alarms is None else alarms, CompositeAlarms=[]),
        dict(AlarmNames=list(names)))


def stub_describe_log_groups(clients, groups=None, name=LOG_GROUP):
    clients.stubber("logs").add_response(
        "describe_log_groups", dict(logGroups=[team_log_group()] if groups is None else groups),
        dict(logGroupNamePrefix=name))


def stub_team_stack(clients, ttl_enabled=False, pitr_enabled=False, alarms=None, groups=None):
    """Every call gather_stack_info makes for the deployed team stack, in order."""
    stub_describe_stack(clients)
    stub_list_stack_resources(clients)
    stub_list_exports(clients)
    stub_table(clients, results_table(), pitr_enabled=pitr_enabled)
    stub_table(clients, sessions_table(), ttl_enabled=ttl_enabled, pitr_enabled=pitr_enabled)
    stub_describe_alarms(clients, alarms)
    stub_describe_log_groups(clients, groups)


# --- drift answers ----------------------------------------------------------------------------------------------
def resource_drift(logical_id, physical_id, resource_type, status="IN_SYNC", expected=None, actual=None,
                   differences=None):
    drift = dict(StackId=STACK_ID, LogicalResourceId=logical_id, PhysicalResourceId=physical_id,
                 ResourceType=resource_type, StackResourceDriftStatus=status, Timestamp=WHEN)
    if expected is not None:
        drift["ExpectedProperties"] = json.dumps(expected)
        drift["ActualProperties"] = json.dumps(actual if actual is not None else expected)
    if differences:
        drift["PropertyDifferences"] = differences
    return drift


def table_properties_without_ttl_or_pitr(name):
    """What an endpoint that ignores TimeToLiveSpecification and PointInTimeRecoverySpecification lists as
    ExpectedProperties (the emulator does exactly this)."""
    return dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                KeySchema=[dict(AttributeName="sessionId", KeyType="HASH")])


def emulator_like_drifts():
    """Drift as the emulator reports it for the deployed team stack: TTL and PITR left out, alarm not reported."""
    return [
        resource_drift("AiChefResultsTable", RESULTS, "AWS::DynamoDB::Table",
                       expected=table_properties_without_ttl_or_pitr(RESULTS)),
        resource_drift("AiChefSessionsTable", SESSIONS, "AWS::DynamoDB::Table",
                       expected=table_properties_without_ttl_or_pitr(SESSIONS)),
        resource_drift("DynamoDBLogGroup", LOG_GROUP, "AWS::Logs::LogGroup",
                       expected=dict(LogGroupName=LOG_GROUP, RetentionInDays=7)),
    ]


def aws_like_drifts():
    """Drift as AWS reports it: ExpectedProperties hold every property the template sets."""
    sessions = table_properties_without_ttl_or_pitr(SESSIONS)
    sessions.update(TimeToLiveSpecification=dict(AttributeName="TTL", Enabled=True),
                    PointInTimeRecoverySpecification=dict(PointInTimeRecoveryEnabled=True))
    results = table_properties_without_ttl_or_pitr(RESULTS)
    results.update(PointInTimeRecoverySpecification=dict(PointInTimeRecoveryEnabled=True))
    return [
        resource_drift("AiChefResultsTable", RESULTS, "AWS::DynamoDB::Table", expected=results),
        resource_drift("AiChefSessionsTable", SESSIONS, "AWS::DynamoDB::Table", expected=sessions),
        resource_drift("DynamoDBLogGroup", LOG_GROUP, "AWS::Logs::LogGroup",
                       expected=dict(LogGroupName=LOG_GROUP, RetentionInDays=7)),
        resource_drift("SessionsTableErrorAlarm", ALARM, "AWS::CloudWatch::Alarm",
                       expected=dict(AlarmName=ALARM, Threshold=5)),
    ]


def detection_status(status="DETECTION_COMPLETE", drifted=0, detection_id="d-1"):
    answer = dict(StackId=STACK_ID, StackDriftDetectionId=detection_id, DetectionStatus=status, Timestamp=WHEN)
    if status != "DETECTION_IN_PROGRESS":
        answer.update(StackDriftStatus="DRIFTED" if drifted else "IN_SYNC", DriftedStackResourceCount=drifted)
    return answer


def stub_drift_detection(clients, drifts, statuses=("DETECTION_COMPLETE",), detection_id="d-1"):
    """DetectStackDrift, one DescribeStackDriftDetectionStatus per status, then the resource drifts."""
    stubber = clients.stubber("cloudformation")
    stubber.add_response("detect_stack_drift", dict(StackDriftDetectionId=detection_id), dict(StackName=STACK_NAME))
    drifted = sum(1 for drift in drifts if drift["StackResourceDriftStatus"] in ("MODIFIED", "DELETED"))
    for status in statuses:
        stubber.add_response("describe_stack_drift_detection_status",
                             detection_status(status, drifted, detection_id),
                             dict(StackDriftDetectionId=detection_id))
    if statuses[-1] != "DETECTION_IN_PROGRESS":
        stubber.add_response("describe_stack_resource_drifts", dict(StackResourceDrifts=copy.deepcopy(drifts)),
                             dict(StackName=STACK_NAME))
