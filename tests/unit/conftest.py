"""Fixtures shared by the unit tests: Stubber-backed clients (checked at teardown), AnsibleAWSModule.client
answered by them, and a fake clock."""
import pytest

from ansible_collections.aichef.dynamodb.tests.unit.utils.clock import FakeClock
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import StubbedClient
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_stack import StubbedClients


@pytest.fixture
def api_calls():
    """Every operation attempted on any stubbed client of the test, in order ("service:Operation")."""
    return []


def _stubbed(service, log):
    stubbed = StubbedClient(service, log)
    with stubbed.stubber:
        yield stubbed
        stubbed.stubber.assert_no_pending_responses()


@pytest.fixture
def cloudformation(api_calls):
    yield from _stubbed("cloudformation", api_calls)


@pytest.fixture
def dynamodb(api_calls):
    yield from _stubbed("dynamodb", api_calls)


@pytest.fixture
def s3(api_calls):
    yield from _stubbed("s3", api_calls)


@pytest.fixture
def sts(api_calls):
    yield from _stubbed("sts", api_calls)


@pytest.fixture
def glue(api_calls):
    yield from _stubbed("glue", api_calls)


@pytest.fixture
def emr(api_calls):
    yield from _stubbed("emr-serverless", api_calls)


@pytest.fixture
def stubbed_clients():
    """callable(service) -> retrying client over a stubbed boto3 client, for any service (team_stack's helpers
    queue the team stack's answers on it); every queued response must be used."""
    clients = StubbedClients()
    try:
        yield clients
        clients.assert_no_pending_responses()
    finally:
        clients.close()


@pytest.fixture
def requested_clients(monkeypatch, cloudformation):
    """AnsibleAWSModule.client returns the stubbed CloudFormation client, wrapped as the real one wraps it; the
    list records every client main() asked for. Tests of a module that asks for other clients override it."""
    return patch_aws_client_with_stubs(monkeypatch, cloudformation=cloudformation)


@pytest.fixture
def clock():
    return FakeClock()
