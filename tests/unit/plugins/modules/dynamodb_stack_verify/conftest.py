"""Fixtures for the dynamodb_stack_verify tests: main() run on the stubbed clients of tests/unit/conftest.py."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_stack_verify
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_result_runner
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_retrying_clients


@pytest.fixture
def run_module(stubbed_clients, monkeypatch, capsys):
    """run_module(**args) -> the module's JSON result, verifying the team stack against files/dynamodb-schema.yaml
    in the team's region unless args say otherwise; AnsibleAWSModule.client returns the stubbed clients."""
    patch_aws_client_with_retrying_clients(monkeypatch, stubbed_clients)
    return module_result_runner(dynamodb_stack_verify.main, capsys, region=team.REGION, stack_name=team.STACK_NAME,
                                template_body=team.team_template_body())
