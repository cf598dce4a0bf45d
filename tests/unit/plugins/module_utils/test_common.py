"""common.py: the retry decorator. A throttled call is retried, then succeeds; other errors are not retried.

The Stubber sits on the raw client that RetryingBotoClientWrapper wraps (`.client`); time.sleep of AWSRetry is
patched so retries take no time, and its calls show how often the call was retried.
"""
import pytest

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import table_holds_items
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import delete_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_describe_table
from ansible_collections.aichef.dynamodb.tests.unit.utils.dynamodb_stubs import stub_scan

BACKOFF = dict(backoff_retries=4, backoff_delay=1, backoff_max_delay=2)


@pytest.fixture
def retry_sleeps(monkeypatch):
    sleeps = []
    monkeypatch.setattr(cloud.time, "sleep", sleeps.append)
    return sleeps


def wrap(stubbed, params=None):
    return RetryingBotoClientWrapper(stubbed.client, retry_decorator(params or BACKOFF))


def test_backoff_argument_spec_defaults_match_documentation():
    assert {name: spec["default"] for name, spec in BACKOFF_ARGUMENT_SPEC.items()} == dict(
        backoff_retries=10, backoff_delay=3, backoff_max_delay=30)
    assert all(spec["type"] == "int" for spec in BACKOFF_ARGUMENT_SPEC.values())


@pytest.mark.parametrize("code", ["Throttling", "LimitExceededException", "RequestLimitExceeded",
                                  "ServiceUnavailable"])
def test_retry_decorator_cloudformation_throttled_retries_then_succeeds(cloudformation, retry_sleeps, code):
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", error_code=code, error_message="Rate exceeded")
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", error_code=code, error_message="Rate exceeded")
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE")
    stack = describe_stack(wrap(cloudformation), cfn.STACK_NAME)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert cloudformation.calls == ["DescribeStacks"] * 3
    assert len(retry_sleeps) == 2
    assert all(0 <= delay <= BACKOFF["backoff_max_delay"] for delay in retry_sleeps)


def test_retry_decorator_throttled_delete_retried_once(cloudformation, retry_sleeps):
    """A mutating call is retried too (a throttled call was refused, so it never ran)."""
    cfn.stub_delete_stack(cloudformation.stubber, error_code="Throttling", error_message="Rate exceeded")
    cfn.stub_delete_stack(cloudformation.stubber)
    delete_stack(wrap(cloudformation), cfn.STACK_NAME)
    assert cloudformation.calls == ["DeleteStack", "DeleteStack"]
    assert len(retry_sleeps) == 1


@pytest.mark.parametrize("code", ["ThrottlingException", "ProvisionedThroughputExceededException",
                                  "RequestThrottled", "InternalServerError"])  # DynamoDB's HTTP 500
def test_retry_decorator_dynamodb_throttled_scan_retries_then_succeeds(dynamodb, retry_sleeps, code):
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 0, error_code=code)
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 1)
    assert table_holds_items(wrap(dynamodb), "ai-chef-sessions") is True
    assert dynamodb.calls == ["Scan", "Scan"]
    assert len(retry_sleeps) == 1


def test_retry_decorator_dynamodb_throttled_describe_table_retries_then_succeeds(dynamodb, retry_sleeps):
    stub_describe_table(dynamodb.stubber, "ai-chef-results", error_code="ThrottlingException")
    stub_describe_table(dynamodb.stubber, "ai-chef-results", exists=False)
    assert describe_table(wrap(dynamodb), "ai-chef-results") is None
    assert len(retry_sleeps) == 1


def test_retry_decorator_throttled_every_time_gives_up_after_retries(cloudformation, retry_sleeps):
    for dummy in range(BACKOFF["backoff_retries"]):
        cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_COMPLETE", error_code="Throttling")
    with pytest.raises(CloudFormationError) as e:
        describe_stack(wrap(cloudformation), cfn.STACK_NAME)
    assert e.value.exception.response["Error"]["Code"] == "Throttling"
    assert len(cloudformation.calls) == BACKOFF["backoff_retries"]
    assert len(retry_sleeps) == BACKOFF["backoff_retries"] - 1


def test_retry_decorator_access_denied_not_retried(dynamodb, retry_sleeps):
    stub_scan(dynamodb.stubber, "ai-chef-sessions", 0, error_code="AccessDeniedException")
    with pytest.raises(DynamoDBError):
        table_holds_items(wrap(dynamodb), "ai-chef-sessions")
    assert dynamodb.calls == ["Scan"]
    assert retry_sleeps == []


def test_retry_decorator_stack_does_not_exist_not_retried(cloudformation, retry_sleeps):
    """The ValidationError for a missing stack is an answer, not a hiccup: no retry, no sleep."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ABSENT")
    assert describe_stack(wrap(cloudformation), cfn.STACK_NAME) is None
    assert retry_sleeps == []


def test_lazy_client_makes_the_client_on_first_use_only():
    from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import LazyClient
    made = []

    class Client:
        def describe_table(self, **kwargs):
            return "described"

    lazy = LazyClient(lambda: made.append(1) or Client())
    assert made == []
    assert lazy.describe_table(TableName="t") == "described"
    assert lazy.describe_table(TableName="t") == "described"
    assert made == [1]


def test_all_pages_follows_next_token_and_stops_at_the_page_bound(monkeypatch):
    from ansible_collections.aichef.dynamodb.plugins.module_utils._common import aws as common
    calls = []

    def call(aws_retry, **kwargs):
        calls.append(kwargs.get("NextToken"))
        return {"Items": [len(calls)], "NextToken": "t%d" % len(calls)} if len(calls) < 3 else {"Items": [3]}

    assert common.all_pages(call, "Items", common.CloudFormationError, "listing") == [1, 2, 3]
    assert calls == [None, "t1", "t2"]

    monkeypatch.setattr(common, "MAX_PAGES", 4)

    def endless(aws_retry, **kwargs):
        return {"Items": [], "NextToken": "again"}

    with pytest.raises(common.CloudFormationError, match="listing: more than 4 pages"):
        common.all_pages(endless, "Items", common.CloudFormationError, "listing")


def client_error(code, message="it failed"):
    import botocore.exceptions
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "Operation")


def test_call_returns_the_response_none_when_absent_and_raises_the_service_error_otherwise():
    from ansible_collections.aichef.dynamodb.plugins.module_utils._common import aws as common
    answers = []

    def operation(aws_retry, **kwargs):
        assert aws_retry is True  # every call goes through the client's retry decorator
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return dict(answer, sent=kwargs)

    answers.append({"Table": 1})
    assert common.call(operation, DynamoDBError, "Failed", TableName="t") == {"Table": 1, "sent": {"TableName": "t"}}
    answers.append(client_error("ResourceNotFoundException"))
    assert common.call(operation, DynamoDBError, "Failed", absent=common.error_code("ResourceNotFoundException")) is None
    answers.append(client_error("ValidationError", "Stack with id x does not exist"))
    assert common.call(operation, CloudFormationError, "Failed", absent=common.error_message("does not exist")) is None
    answers.append(client_error("AccessDenied"))
    with pytest.raises(DynamoDBError, match="^Failed to describe table t") as raised:
        common.call(operation, DynamoDBError, "Failed to describe table t",
                    absent=common.error_code("ResourceNotFoundException"))
    assert raised.value.message == "Failed to describe table t"
    assert raised.value.exception.response["Error"]["Code"] == "AccessDenied"


def test_pages_sends_the_token_back_under_its_request_name_and_stops_when_absent():
    from ansible_collections.aichef.dynamodb.plugins.module_utils._common import aws as common
    sent = []

    def list_backups(aws_retry, **kwargs):
        sent.append(kwargs.get("ExclusiveStartBackupArn"))
        if len(sent) == 3:
            raise client_error("TableNotFoundException")
        return {"BackupSummaries": [len(sent)], "LastEvaluatedBackupArn": "arn-%d" % len(sent)}

    responses = list(common.pages(list_backups, DynamoDBError, "Failed", absent=common.error_code("TableNotFoundException"),
                                  token="LastEvaluatedBackupArn", start_token="ExclusiveStartBackupArn", TableName="t"))
    assert [response["BackupSummaries"] for response in responses] == [[1], [2]]
    assert sent == [None, "arn-1", "arn-2"]
    assert len(list(common.pages(lambda aws_retry, **kwargs: {"NextToken": "more"}, DynamoDBError, "Failed",
                                 max_pages=3))) == 3
