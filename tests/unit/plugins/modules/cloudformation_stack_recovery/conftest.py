"""Fixtures for the cloudformation_stack_recovery tests: a StackRecovery on stubbed clients and a fake clock."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_recovery as module
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME


def recovery_options(**overrides):
    """The module's option defaults (the keys StackRecovery reads)."""
    options = dict(template_body=None, tags=None, termination_protection=None, stack_policy=None, allow_delete=False,
                   resources_to_skip=[], wait=True, wait_timeout=1800)
    options.update(overrides)
    return options


@pytest.fixture
def make_recovery(cloudformation, dynamodb, clock):
    """StackRecovery on the stubbed clients, wrapped as module.client(..., retry_decorator=...) wraps them."""
    def make(check_mode=False, **overrides):
        return module.StackRecovery(cloudformation.wrapped(), dynamodb.wrapped(), STACK_NAME,
                                    recovery_options(**overrides), check_mode, sleep=clock.sleep, clock=clock)
    return make
