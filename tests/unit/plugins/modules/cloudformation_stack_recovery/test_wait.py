"""StackRecovery.wait() through run(): bounded by wait_timeout (in all), backing off 1 s -> 5 s, never deleting
because a wait timed out. The clock and sleep are injected: these waits take no real time."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import StackRecoveryRefused
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory


DELETE = "cloudformation:DeleteStack"


def stub_busy_polls(cloudformation, status, polls):
    for dummy in range(polls):
        cfn.stub_describe_stacks(cloudformation.stubber, status)
        cfn.stub_describe_stack_events(cloudformation.stubber, [])


def test_wait_busy_past_timeout_raises_without_delete(cloudformation, api_calls, clock, make_recovery):
    """ROLLBACK_IN_PROGRESS would become ROLLBACK_COMPLETE (a delete row), but it never settles: no delete."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_IN_PROGRESS")
    stub_busy_polls(cloudformation, "ROLLBACK_IN_PROGRESS", polls=10)  # at t = 0, 1, 2.5, 4.75, 8.125, ... 30

    with pytest.raises(CloudFormationError) as e:
        make_recovery(wait_timeout=30).run()

    assert not isinstance(e.value, StackRecoveryRefused)
    assert e.value.message == ("Stack %s did not settle within wait_timeout=30s: still ROLLBACK_IN_PROGRESS after "
                               "30 s. No delete was issued; re-run once the running operation has finished"
                               % STACK_NAME)
    assert DELETE not in api_calls
    # first re-check within 1 s, growing, never more than 5 s apart, the last cut to the time left
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.375, 5.0, 5.0, 5.0, 5.0, 1.875]
    assert clock.sleeps[0] <= 1.0 and max(clock.sleeps) <= 5.0
    assert clock.slept == 30


def test_wait_delete_never_finishes_raises_saying_delete_was_issued(cloudformation, api_calls, clock,
                                                                    make_recovery):
    """The delete was issued before the wait timed out: the message must not claim that no delete was."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, StackHistory().failed_create().newest_first())
    cfn.stub_delete_stack(cloudformation.stubber)
    stub_busy_polls(cloudformation, "DELETE_IN_PROGRESS", polls=5)  # at t = 0, 1, 2.5, 4.75, 5

    with pytest.raises(CloudFormationError) as e:
        make_recovery(wait_timeout=5).run()

    assert e.value.message.startswith("Stack %s did not settle within wait_timeout=5s: still DELETE_IN_PROGRESS"
                                      % STACK_NAME)
    assert "No delete was issued" not in e.value.message
    assert "The delete was issued before the wait and goes on" in e.value.message
    assert api_calls.count(DELETE) == 1
    assert clock.sleeps == [1.0, 1.5, 2.25, 0.25]


def test_wait_continued_rollback_never_finishes_raises_no_delete(cloudformation, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_FAILED")
    cfn.stub_describe_stack_events(cloudformation.stubber, [])
    cfn.stub_continue_update_rollback(cloudformation.stubber)
    stub_busy_polls(cloudformation, "UPDATE_ROLLBACK_IN_PROGRESS", polls=3)  # t = 0, 1, 2

    with pytest.raises(CloudFormationError) as e:
        make_recovery(wait_timeout=2).run()

    assert "did not settle within wait_timeout=2s: still UPDATE_ROLLBACK_IN_PROGRESS" in e.value.message
    assert "No delete was issued" in e.value.message
    assert DELETE not in api_calls
    assert clock.sleeps == [1.0, 1.0]


def test_wait_timeout_spans_all_steps_second_wait_gets_the_rest(cloudformation, api_calls, clock, make_recovery):
    """wait_timeout bounds the whole run: 2.5 s spent waiting for the rollback leave 7.5 s for the delete."""
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_IN_PROGRESS")
    stub_busy_polls(cloudformation, "ROLLBACK_IN_PROGRESS", polls=2)  # t = 0, 1
    cfn.stub_describe_stacks(cloudformation.stubber, "ROLLBACK_COMPLETE")  # t = 2.5
    cfn.stub_delete_stack(cloudformation.stubber)
    stub_busy_polls(cloudformation, "DELETE_IN_PROGRESS", polls=5)  # t = 2.5, 3.5, 5, 7.25, 10

    with pytest.raises(CloudFormationError, match="did not settle within wait_timeout=10s"):
        make_recovery(wait_timeout=10).run()

    assert clock.sleeps == [1.0, 1.5, 1.0, 1.5, 2.25, 2.75]
    assert clock.slept == 10
    assert api_calls.count(DELETE) == 1


def test_wait_zero_timeout_busy_raises_without_sleeping(cloudformation, api_calls, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    stub_busy_polls(cloudformation, "UPDATE_IN_PROGRESS", polls=1)
    with pytest.raises(CloudFormationError, match="wait_timeout=0s: still UPDATE_IN_PROGRESS after 0 s"):
        make_recovery(wait_timeout=0).run()
    assert clock.sleeps == []


def test_wait_settles_just_before_timeout_returns(cloudformation, clock, make_recovery):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    stub_busy_polls(cloudformation, "UPDATE_IN_PROGRESS", polls=3)  # t = 0, 1, 2.5
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")  # t = 4.75
    cfn.stub_describe_stack_events(cloudformation.stubber, [])  # the waited operation's last events
    result = make_recovery(wait_timeout=5).run()
    assert (result["status_after"], result["action"]) == ("UPDATE_COMPLETE", "wait")
    assert clock.sleeps == [1.0, 1.5, 2.25]
