"""follow(): poll until the deploy after the event `after_event_id` settles, bounded by `window`; the clock and sleep
are injected, so these waits take no real time."""
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory

POLL = ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"]


def deployed():
    """A created stack and the id of its newest event at deploy time (the plan's last_event_id)."""
    history = StackHistory().successful_create()
    return history, history.events[-1]["EventId"]


def stub_poll(cloudformation, status, history):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())


def follow(cloudformation, clock, params, sleep=None):
    return module.follow(cloudformation.wrapped(), params, sleep=sleep or clock.sleep, clock=clock)


def test_follow_settled_at_first_poll_does_not_sleep(cloudformation, api_calls, clock, job_file, progress_params):
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE")
    job_file.finished(changed=True, output="Stack UPDATE complete")
    stub_poll(cloudformation, "UPDATE_COMPLETE", history)

    outcome = follow(cloudformation, clock, progress_params(after_event_id=after_event_id))

    assert outcome["settled"] is True
    assert clock.sleeps == []
    assert api_calls == POLL


def test_follow_busy_then_complete_rechecks_within_half_a_second(cloudformation, api_calls, clock, job_file,
                                                                 progress_params):
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    job_file.running()
    stub_poll(cloudformation, "UPDATE_IN_PROGRESS", history)
    history.resource("AiChefResultsTable", "UPDATE_COMPLETE")
    history.stack("UPDATE_COMPLETE")
    stub_poll(cloudformation, "UPDATE_COMPLETE", history)

    def sleep(seconds):  # the operation, and with it the job, ends while follow() waits
        clock.sleep(seconds)
        job_file.finished(changed=True, output="Stack UPDATE complete")

    outcome = follow(cloudformation, clock, progress_params(after_event_id=after_event_id), sleep=sleep)

    assert (outcome["settled"], len(outcome["event_lines"])) == (True, 3)
    assert clock.sleeps == [0.5]
    assert api_calls == POLL * 2


def test_follow_never_settles_returns_unsettled_at_window(cloudformation, api_calls, clock, job_file,
                                                          progress_params):
    """Neither the operation nor the job ends: back off 0.5 s -> 1 s, stop exactly at the window, report unsettled."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    job_file.running()
    for dummy in range(22):  # at t = 0, 0.5, 1.25, then every 1 s to 19.25, and 20
        stub_poll(cloudformation, "UPDATE_IN_PROGRESS", history)

    outcome = follow(cloudformation, clock, progress_params(after_event_id=after_event_id, window=20))

    assert (outcome["settled"], outcome["stack_status"]) == (False, "UPDATE_IN_PROGRESS")
    assert clock.sleeps == [0.5, 0.75] + [1.0] * 18 + [0.75]
    assert clock.sleeps[0] == 0.5 and max(clock.sleeps) <= 1.0
    assert clock.slept == 20
    assert api_calls == POLL * 22


def test_follow_window_zero_polls_once(cloudformation, api_calls, clock, job_file, progress_params):
    history, after_event_id = deployed()
    job_file.running()
    stub_poll(cloudformation, "CREATE_COMPLETE", history)

    outcome = follow(cloudformation, clock, progress_params(after_event_id=after_event_id, window=0))

    assert outcome["settled"] is False
    assert clock.sleeps == []
    assert api_calls == POLL


def test_follow_job_finishes_without_operation_settles_next_poll(cloudformation, clock, job_file, progress_params):
    """The job ends (a template CloudFormation rejected) while following: settled at the next poll."""
    history, after_event_id = deployed()
    job_file.running()
    stub_poll(cloudformation, "CREATE_COMPLETE", history)
    stub_poll(cloudformation, "CREATE_COMPLETE", history)

    def sleep(seconds):
        clock.sleep(seconds)
        job_file.finished(failed=True, msg="Template format error")

    outcome = follow(cloudformation, clock, progress_params(after_event_id=after_event_id), sleep=sleep)

    assert (outcome["settled"], outcome["events"], outcome["job"]["msg"]) == (True, [], "Template format error")
    assert clock.sleeps == [0.5]
