"""Fixtures for the dynamodb_table_diagnose tests: Stubber-backed clients, checked at teardown."""
import pytest

from ansible_collections.aichef.dynamodb.tests.unit.plugins.modules.dynamodb_stack_info.team_stack import StubbedClients


@pytest.fixture
def stubbed_clients():
    """callable(service) -> retrying client over a stubbed boto3 client; every queued response must be used."""
    clients = StubbedClients()
    try:
        yield clients
        clients.assert_no_pending_responses()
    finally:
        clients.close()
