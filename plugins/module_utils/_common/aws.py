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


def all_pages(call, result_key, error_class, failure_message, **kwargs):
    """Every entry of result_key over the NextToken pages of call(**kwargs), retried; error_class(failure_message)
    on an AWS error, or past MAX_PAGES pages."""
    entries = []
    try:
        for dummy in range(MAX_PAGES):
            response = call(aws_retry=True, **kwargs)
            entries.extend(response.get(result_key, []))
            if not response.get("NextToken"):
                return entries
            kwargs["NextToken"] = response["NextToken"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        raise error_class(message=failure_message, exception=e)
    raise error_class(message="%s: more than %d pages" % (failure_message, MAX_PAGES))
