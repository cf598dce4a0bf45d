"""Stub helpers for dynamodb_table_migration: one per DynamoDB operation, expected_params always set.

Self-contained (a client per test, its Stubber active, checked at teardown by the fixtures that use
stubbed_dynamodb). Responses are validated by the Stubber against the DynamoDB service model.
"""
import contextlib

import boto3
from botocore.config import Config
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_table_migration as module

REGION = "us-east-1"
FAST_BACKOFF = dict(backoff_retries=2, backoff_delay=1, backoff_max_delay=1)
SOURCE = "ai-chef-sessions"
TARGET = "ai-chef-sessions-v2"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/%s"

SESSIONS_KEY = dict(key=[("sessionId", "HASH")], types={"sessionId": "S"})
PK_SK_KEY = dict(key=[("PK", "HASH"), ("SK", "RANGE")], types={"PK": "S", "SK": "S"})

_SESSION = []


@contextlib.contextmanager
def stubbed_dynamodb():
    """(wrapped client, stubber): the client wrapped as AnsibleAWSModule.client(retry_decorator=...) wraps it.

    botocore's own retries are off so that only the code under test retries.
    """
    if not _SESSION:  # one session: its loader caches the service model, so a client costs ~1 ms, not ~300 ms
        _SESSION.append(boto3.session.Session(aws_access_key_id="AKIDTESTTESTTESTTEST",
                                              aws_secret_access_key="dummy", region_name=REGION))
    client = _SESSION[0].client("dynamodb", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    stubber = Stubber(client)
    with stubber:
        yield RetryingBotoClientWrapper(client, retry_decorator(FAST_BACKOFF)), stubber
        stubber.assert_no_pending_responses()


def table_description(name, schema, status="ACTIVE"):
    return {
        "TableName": name, "TableStatus": status, "TableArn": TABLE_ARN % name, "ItemCount": 0,
        "KeySchema": [{"AttributeName": attribute, "KeyType": key_type} for attribute, key_type in schema["key"]],
        "AttributeDefinitions": [{"AttributeName": attribute, "AttributeType": attribute_type}
                                 for attribute, attribute_type in schema["types"].items()],
    }


def stub_describe_table(stubber, name, schema=None, status="ACTIVE"):
    """schema None: the table does not exist (ResourceNotFoundException)."""
    if schema is None:
        stubber.add_client_error("describe_table", service_error_code="ResourceNotFoundException",
                                 service_message="Requested resource not found: Table: %s not found" % name,
                                 http_status_code=400, expected_params={"TableName": name})
    else:
        stubber.add_response("describe_table", {"Table": table_description(name, schema, status)},
                             {"TableName": name})


def scan_params(name, segment=None, total_segments=None, start_key=None, limit=None, select=None,
                consistent_read=False, projection=None):
    """The exact parameters tables.scan_page sends."""
    params = {"TableName": name, "ConsistentRead": consistent_read, "ReturnConsumedCapacity": "TOTAL"}
    if total_segments is not None:
        params.update(Segment=segment, TotalSegments=total_segments)
    if start_key:
        params["ExclusiveStartKey"] = start_key
    if limit:
        params["Limit"] = limit
    if select:
        params["Select"] = select
    if projection:
        names = dict(("#a%d" % index, attribute) for index, attribute in enumerate(projection))
        params["ProjectionExpression"] = ", ".join(sorted(names))
        params["ExpressionAttributeNames"] = names
    return params


def consumed(name, units):
    return {"TableName": name, "CapacityUnits": units}


def stub_scan(stubber, name, items, last_evaluated_key=None, units=None, **params):
    """units: the ConsumedCapacity the answer reports (none when None)."""
    response = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
    if units is not None:
        response["ConsumedCapacity"] = consumed(name, units)
    if last_evaluated_key:
        response["LastEvaluatedKey"] = last_evaluated_key
    stubber.add_response("scan", response, scan_params(name, **params))


def stub_probe(stubber, name, items):
    """The preflight's first look at the source: one page of at most 25 items."""
    stub_scan(stubber, name, items, limit=25)


def stub_count(stubber, name, count, segment, total_segments, last_evaluated_key=None):
    response = {"Count": count, "ScannedCount": count}
    if last_evaluated_key:
        response["LastEvaluatedKey"] = last_evaluated_key
    stubber.add_response("scan", response, scan_params(name, segment=segment, total_segments=total_segments,
                                                       select="COUNT"))


def put_requests(items):
    return [{"PutRequest": {"Item": item}} for item in items]


def stub_batch_write(stubber, name, items, unprocessed=None, error_code=None, units=None):
    """items: the items the call must carry; unprocessed: the items DynamoDB hands back; units: the
    ConsumedCapacity the answer reports (none when None)."""
    expected = {"RequestItems": {name: put_requests(items)}, "ReturnConsumedCapacity": "TOTAL"}
    if error_code:
        stubber.add_client_error("batch_write_item", service_error_code=error_code, service_message=error_code,
                                 http_status_code=400, expected_params=expected)
        return
    response = {"UnprocessedItems": {name: put_requests(unprocessed)} if unprocessed else {}}
    if units is not None:
        response["ConsumedCapacity"] = [consumed(name, units)]
    stubber.add_response("batch_write_item", response, expected)


def stub_get_item(stubber, name, key, item=None, consistent_read=False):
    response = {"Item": item} if item is not None else {}
    stubber.add_response("get_item", response, {"TableName": name, "Key": key, "ConsistentRead": consistent_read,
                                                "ReturnConsumedCapacity": "TOTAL"})


def session_key(number):
    """The key of session_item(number) in ai-chef-sessions."""
    return {"sessionId": {"S": "s%04d" % number}}


def stub_preflight(source, target, probe_items):
    """The copy's preflight: both tables described (sessions key, PK/SK key), then the source probed."""
    stub_describe_table(source, SOURCE, SESSIONS_KEY)
    stub_describe_table(target, TARGET, PK_SK_KEY)
    stub_probe(source, SOURCE, probe_items)


def session_item(number, **extra):
    """A source item of ai-chef-sessions, low-level (AttributeValue dicts)."""
    item = {"sessionId": {"S": "s%04d" % number}, "userId": {"S": "u%d" % (number % 3)},
            "createdAt": {"N": str(1700000000 + number)}}
    item.update(extra)
    return item


def migrated_item(number, **extra):
    """session_item(number) after derive PK=SESSION#{sessionId}, SK=META."""
    item = session_item(number, **extra)
    item.update(PK={"S": "SESSION#s%04d" % number}, SK={"S": "META"})
    return item


def migration_params(**overrides):
    """The module's option values as AnsibleAWSModule hands them over: its own defaults (read from its argument spec,
    so that no copy of them can drift), then this suite's tables, key change, one segment and one thread."""
    params = dict((name, spec.get("default")) for name, spec in module.ARGUMENT_SPEC.items())
    params.update(source_table=SOURCE, target_table=TARGET,
                  transform=dict(derive=dict(PK="SESSION#{sessionId}", SK="META"), rename=None, drop=None,
                                 defaults=None, filter=None),
                  total_segments=1, threads=1)
    params.update(FAST_BACKOFF)
    params.update(overrides)
    return params


def identity(source=SOURCE, target=TARGET, target_region=REGION):
    return dict(source=dict(region=REGION, endpoint_url=None, table=source),
                target=dict(region=target_region, endpoint_url=None, table=target))
