# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clients, retries and the exception types that helpers raise for main() to report."""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing SDK

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# AWSRetry already retries Throttling, RequestLimitExceeded, ServiceUnavailable, InternalFailure and friends.
# DynamoDB throttles with its own codes and names its HTTP 500 InternalServerError (not in AWSRetry's list), and
# CloudFormation answers a busy account with LimitExceeded. Connection errors and read timeouts are not ClientErrors:
# botocore's own retries (aws_config retries.total_max_attempts) are the only ones, so an endpoint that stops answering
# fails within its read timeouts instead of being waited for backoff_retries times over.
EXTRA_RETRY_ERROR_CODES = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestThrottled",
    "LimitExceededException",
    "SlowDown",
    "InternalServerError",
]

BACKOFF_ARGUMENT_SPEC = dict(
    backoff_retries=dict(type="int", default=10),
    backoff_delay=dict(type="int", default=3),
    backoff_max_delay=dict(type="int", default=30),
)


def retry_decorator(params):
    """The one jittered-backoff decorator every client of this collection is wrapped with."""
    return AWSRetry.jittered_backoff(
        retries=params["backoff_retries"],
        delay=params["backoff_delay"],
        max_delay=params["backoff_max_delay"],
        catch_extra_error_codes=EXTRA_RETRY_ERROR_CODES,
    )


class CloudFormationError(AnsibleAWSError):
    """A CloudFormation call failed, or a stack is in a state that this collection must not touch."""


class DynamoDBError(AnsibleAWSError):
    """A DynamoDB call failed."""


class InputError(AnsibleAWSError):
    """The caller's input is wrong; raised before any AWS call."""


class LazyClient:
    """A client made on first use: creating a boto3 client loads its service model (tens of milliseconds), and
    most runs of a module never call the second service it may need."""

    def __init__(self, factory):
        self._factory = factory
        self._client = None

    def __getattr__(self, name):
        if self._client is None:
            self._client = self._factory()
        return getattr(self._client, name)


# A bound on the pages of one paginated listing (500 pages of 100+ entries is far beyond any stack or account).
MAX_PAGES = 500


def error_code(*codes):
    """absent= predicate of call() and pages(): the AWS error code is one of codes."""
    return lambda error: isinstance(error, botocore.exceptions.ClientError) and \
        error.response.get("Error", {}).get("Code") in codes


def error_message(text):
    """absent= predicate of call() and pages(): the AWS error message contains text (CloudFormation says "does
    not exist" with the ValidationError it uses for every bad request)."""
    return lambda error: isinstance(error, botocore.exceptions.ClientError) and \
        text in error.response.get("Error", {}).get("Message", "")


def call(operation, error_class, failure_message, absent=None, **kwargs):
    """The one wrapper of this collection's AWS calls: operation(**kwargs), retried (the client is wrapped with
    retry_decorator), its response returned; None when absent(error) says the error means "no such thing" (data,
    not a failure); error_class(failure_message) on any other botocore error, for main() to report."""
    try:
        return operation(aws_retry=True, **kwargs)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        if absent is not None and absent(e):
            return None
        raise error_class(message=failure_message, exception=e)


def pages(operation, error_class, failure_message, absent=None, token="NextToken", start_token=None,
          max_pages=MAX_PAGES, **kwargs):
    """Each response of operation(**kwargs) over its pages, each got through call(): the response's token is sent
    back as start_token (the same name unless the API names them apart, as ListBackups does). Stops when an error
    is absent(error), and after max_pages pages (the caller decides whether more pages are an error)."""
    for dummy in range(max_pages):
        response = call(operation, error_class, failure_message, absent=absent, **kwargs)
        if response is None:
            return
        yield response
        if not response.get(token):
            return
        kwargs[start_token or token] = response[token]


def all_pages(operation, result_key, error_class, failure_message, **kwargs):
    """Every entry of result_key over the NextToken pages of operation(**kwargs), retried; error_class(failure_message)
    on an AWS error, or past MAX_PAGES pages."""
    entries = []
    for count, response in enumerate(pages(operation, error_class, failure_message, max_pages=MAX_PAGES, **kwargs), 1):
        entries.extend(response.get(result_key, []))
        if count == MAX_PAGES and response.get("NextToken"):
            raise error_class(message="%s: more than %d pages" % (failure_message, MAX_PAGES))
    return entries
