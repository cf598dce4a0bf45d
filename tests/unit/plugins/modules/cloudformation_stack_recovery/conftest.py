"""Fixtures for the cloudformation_stack_recovery tests: a StackRecovery on stubbed clients and a fake clock."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import StackRecovery
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_recovery as module
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME


def recovery_options(**overrides):
    """The options as AnsibleAWSModule hands them to StackRecovery: the module's own defaults (read from its
    argument spec, so that they cannot drift), then the overrides."""
    options = dict((name, spec.get("default")) for name, spec in module.ARGUMENT_SPEC.items())
    options.update(overrides)
    return options


@pytest.fixture
def make_recovery(cloudformation, dynamodb, clock):
    """StackRecovery on the stubbed clients, wrapped as module.client(..., retry_decorator=...) wraps them."""
    def make(check_mode=False, **overrides):
        return StackRecovery(cloudformation.wrapped(), dynamodb.wrapped(), STACK_NAME,
                             recovery_options(**overrides), check_mode, sleep=clock.sleep, clock=clock)
    return make
