"""main() with a deadline (the role's wait_timeout): a deploy still running once it has passed fails, saying that
nothing was deleted or cancelled; a deploy that has finished by then is reported as usual (issue 9, hangs)."""
import time

from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory


def busy_history():
    history = StackHistory().successful_create()
    after_event_id = history.events[-1]["EventId"]
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    return history, after_event_id


def test_a_deploy_still_running_at_the_deadline_fails_clearly_after_one_poll(run_main, cloudformation,
                                                                             requested_clients, job_file):
    history, after_event_id = busy_history()
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    started = time.monotonic()

    # window=20, but the deadline has passed: one poll, no 20 s follow
    rc, result = run_main(after_event_id=after_event_id, deadline=time.time() - 1)

    assert time.monotonic() - started < 5
    assert (rc, result["failed"], result["settled"], result["stack_status"]) == (1, True, False, "UPDATE_IN_PROGRESS")
    assert result["msg"].startswith("Deploy of stack %s did not finish within its wait_timeout (deadline " % STACK_NAME)
    assert "still UPDATE_IN_PROGRESS. No delete was issued and nothing was cancelled" in result["msg"]
    cloudformation.stubber.assert_no_pending_responses()


def test_a_deploy_that_finished_by_the_deadline_is_reported_as_usual(run_main, cloudformation, requested_clients,
                                                                     job_file):
    history, after_event_id = busy_history()
    history.stack("UPDATE_COMPLETE")
    job_file.finished(changed=True, output="Stack UPDATE complete", stack_outputs={}, events=[])
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    rc, result = run_main(after_event_id=after_event_id, deadline=time.time() - 1)

    assert (rc, result["settled"], result["msg"]) == (0, True, "Deploy of stack %s: UPDATE_COMPLETE" % STACK_NAME)
