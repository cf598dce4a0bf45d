"""Fixtures shared by the unit tests: Stubber-backed clients (checked at teardown) and a fake clock."""
import pytest

from ansible_collections.aichef.dynamodb.tests.unit.utils.clock import FakeClock
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import StubbedClient


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
def clock():
    return FakeClock()
