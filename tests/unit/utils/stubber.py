"""A real boto3 client with botocore's Stubber active, and a log of every operation the code attempted.

Pattern: awsdocs python/test_tools/fixtures/common.py (make_stubber). The Stubber refuses any call that was
not queued, checks expected_params, and validates every fake response against the service model.
"""
import boto3
from botocore.config import Config
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator

REGION = "us-east-1"

# Small backoff values: a throttled call in a test is retried at once (time.sleep is patched where it matters).
FAST_BACKOFF = dict(backoff_retries=3, backoff_delay=1, backoff_max_delay=1)

READ_OPERATIONS = frozenset([
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:ListStackResources",
    "cloudformation:GetTemplate",
    "dynamodb:DescribeTable",
    "dynamodb:Scan",
])


_SESSION = []


def _session():
    """One session for the whole run: its loader caches the service models, so a new client costs ~1 ms, not
    ~150 ms. Each client still gets its own copy of the event hooks, so Stubbers never leak between tests."""
    if not _SESSION:
        _SESSION.append(boto3.session.Session(
            aws_access_key_id="AKIDTESTTESTTESTTEST", aws_secret_access_key="dummy-secret", region_name=REGION))
    return _SESSION[0]


class StubbedClient:
    """One service: the raw client, its Stubber, and the operations attempted on it (in call order).

    `log` may be shared between services so a test can assert the order of calls across CloudFormation and
    DynamoDB (e.g. the table check happens before the delete). Attempts are logged before the Stubber runs,
    so an unexpected call is logged even though the Stubber then refuses it.
    """

    def __init__(self, service, log=None):
        # botocore's own retries stay out of the way: only AWSRetry (the code under test) retries.
        self.client = _session().client(service, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        self.service = service
        self.stubber = Stubber(self.client)
        self.log = [] if log is None else log
        self.client.meta.events.register("provide-client-params", self._record)

    def _record(self, model, **kwargs):
        self.log.append("%s:%s" % (self.service, model.name))

    @property
    def calls(self):
        """Operations attempted on this service, e.g. ["DescribeStacks", "DeleteStack"]."""
        prefix = self.service + ":"
        return [entry[len(prefix):] for entry in self.log if entry.startswith(prefix)]

    def wrapped(self, params=None):
        """The client as AnsibleAWSModule.client(..., retry_decorator=...) returns it."""
        return RetryingBotoClientWrapper(self.client, retry_decorator(params or FAST_BACKOFF))


def respond(stubber, method, response, expected_params, error_code=None, error_message=None, http_status_code=400):
    """Queue a response, or with error_code a ClientError (awsdocs example_stubber._stub_bifurcator)."""
    if error_code:
        stubber.add_client_error(method, service_error_code=error_code, service_message=error_message or error_code,
                                 http_status_code=http_status_code, expected_params=expected_params)
    else:
        stubber.add_response(method, response, expected_params)
