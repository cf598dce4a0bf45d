"""poll_once(): one look at the job, the stack and its events; settled once the stack is not busy and the job has
ended (without a job file: a new operation has ended)."""
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import TABLE_EXISTS_LINE


ALARM_FAILED = ("SessionsTableErrorAlarm AWS::CloudWatch::Alarm UPDATE_FAILED: Property Threshold cannot be "
                "negative")


def deployed():
    """A created stack; after_event_id is its newest event, as the plan reported it before the deploy."""
    history = StackHistory().successful_create()
    return history, history.events[-1]["EventId"]


def poll(cloudformation, params, status, history):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())
    return module.poll_once(cloudformation.wrapped(), params)


def test_poll_once_update_in_progress_not_settled_with_lines(cloudformation, api_calls, job_file, progress_params):
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
    job_file.running()

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_IN_PROGRESS", history)

    assert (outcome["settled"], outcome["stack_status"], outcome["job"]) == (False, "UPDATE_IN_PROGRESS", None)
    assert outcome["event_lines"] == [
        "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated",
        "AiChefResultsTable AWS::DynamoDB::Table UPDATE_IN_PROGRESS"]
    assert outcome["failures"] == []
    assert api_calls == ["cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"]


def test_poll_once_new_operation_complete_without_job_file_settled(cloudformation, progress_params):
    """Without a job file, settled on the stack's own word: a new operation that has ended."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE")

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id, job_results_file=None),
                   "UPDATE_COMPLETE", history)

    assert (outcome["settled"], outcome["stack_status"], len(outcome["events"])) == (True, "UPDATE_COMPLETE", 2)


def test_poll_once_new_operation_complete_and_job_finished_settled(cloudformation, job_file, progress_params):
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE")
    job_file.finished(changed=True, output="Stack UPDATE complete")

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_COMPLETE", history)

    assert (outcome["settled"], outcome["stack_status"], len(outcome["events"])) == (True, "UPDATE_COMPLETE", 2)
    assert outcome["job"]["output"] == "Stack UPDATE complete"


def test_poll_once_new_operation_complete_but_job_running_settled(cloudformation, job_file, progress_params):
    """The operation's own end event settles the loop: no waiting for the job's next look at the stack
    (amazon.aws.cloudformation sleeps 5 s between looks); the outputs come from the stack itself."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE")
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE",
                             outputs={"SessionsTableName": "ai-chef-sessions"})
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    outcome = module.poll_once(cloudformation.wrapped(), progress_params(after_event_id=after_event_id))

    assert (outcome["settled"], outcome["stack_status"], outcome["job"]) == (True, "UPDATE_COMPLETE", None)
    assert outcome["stack_outputs"] == {"SessionsTableName": "ai-chef-sessions"}
    assert outcome["event_lines"] == [
        "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated",
        "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_COMPLETE"]


def test_poll_once_status_settled_but_new_operation_only_started_not_settled(cloudformation, job_file,
                                                                             progress_params):
    """The status is read before the events: an older operation's UPDATE_COMPLETE beside a new operation's start
    event (the update began in between) is not the end of the new operation."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    job_file.running()

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_COMPLETE", history)

    assert (outcome["settled"], outcome["stack_status"]) == (False, "UPDATE_COMPLETE")


def test_poll_once_deleted_stack_events_before_the_create_starts_not_settled(cloudformation, job_file,
                                                                             progress_params):
    """The recovery deleted a dead stack and the deploy's create has not started yet: the emulator still lists the
    deleted stack's events under its name. A finished DELETE is not the deploy's operation."""
    history = StackHistory().failed_create()
    history.stack("DELETE_IN_PROGRESS", "User Initiated")
    history.stack("DELETE_COMPLETE")
    job_file.running()

    outcome = poll(cloudformation, progress_params(after_event_id=""), ABSENT_STATUS, history)

    assert (outcome["settled"], outcome["stack_status"]) == (False, ABSENT_STATUS)


def test_poll_once_cleanup_in_progress_is_not_the_end(cloudformation, job_file, progress_params):
    """UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: the update is done but old resources are still being removed."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    job_file.running()

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id),
                   "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", history)

    assert outcome["settled"] is False


def test_poll_once_job_finished_without_operation_settled(cloudformation, job_file, progress_params):
    """The deploy failed before CloudFormation started anything: the stack still shows the previous operation."""
    history, after_event_id = deployed()
    job_file.finished(failed=True, msg="Template format error: Unresolved resource dependencies [X]")

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "CREATE_COMPLETE", history)

    assert (outcome["settled"], outcome["events"], outcome["event_lines"]) == (True, [], [])
    assert outcome["job"]["failed"] is True


def test_poll_once_no_operation_and_job_running_not_settled(cloudformation, job_file, progress_params):
    history, after_event_id = deployed()
    job_file.running()

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "CREATE_COMPLETE", history)

    assert (outcome["settled"], outcome["events"]) == (False, [])


def test_poll_once_previous_operation_only_without_job_file_not_settled(cloudformation, progress_params):
    """The stack's previous update ended before the deploy: its events are history, whatever their timestamps."""
    history = StackHistory().successful_create()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_COMPLETE")
    after_event_id = history.events[-1]["EventId"]

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id, job_results_file=None),
                   "UPDATE_COMPLETE", history)

    assert (outcome["settled"], outcome["events"]) == (False, [])


def test_poll_once_busy_stack_with_finished_job_not_settled(cloudformation, job_file, progress_params):
    """A finished job does not settle a stack that is still busy (e.g. rolling back)."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [X].")
    job_file.finished(failed=True, msg="Stack UPDATE failed")

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_ROLLBACK_IN_PROGRESS",
                   history)

    assert outcome["settled"] is False


def test_poll_once_absent_stack_and_no_job_file_not_settled(cloudformation, progress_params):
    """A first create not yet started: no stack, no events, no job result."""
    cfn.stub_describe_stacks(cloudformation.stubber, ABSENT_STATUS)
    cfn.stub_describe_stack_events(cloudformation.stubber, [], error_code="ValidationError",
                                   error_message="Stack [ai-chef-dynamodb] does not exist")

    outcome = module.poll_once(cloudformation.wrapped(), progress_params(job_results_file=None))

    assert (outcome["settled"], outcome["stack_status"], outcome["events"]) == (False, ABSENT_STATUS, [])


def test_poll_once_rolled_back_update_failures_root_cause_first(cloudformation, job_file, progress_params):
    history, after_event_id = deployed()
    history.failed_update("Property Threshold cannot be negative", final_status="UPDATE_ROLLBACK_COMPLETE")
    job_file.finished(failed=True, msg="Failed to update stack: UPDATE_ROLLBACK_COMPLETE")

    outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_ROLLBACK_COMPLETE", history)

    assert outcome["settled"] is True
    assert outcome["failures"] == [
        ALARM_FAILED, "AiChefSessionsTable AWS::DynamoDB::Table UPDATE_FAILED: Resource update cancelled"]
    assert outcome["event_lines"][0] == "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated"
    assert outcome["event_lines"][-1] == "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_ROLLBACK_COMPLETE"


def test_poll_once_failed_first_create_root_cause_first(cloudformation, job_file, progress_params):
    history = StackHistory().failed_create("ROLLBACK_COMPLETE")
    job_file.finished(failed=True, msg="Failed to create stack: ROLLBACK_COMPLETE")

    outcome = poll(cloudformation, progress_params(), "ROLLBACK_COMPLETE", history)

    assert outcome["settled"] is True
    assert outcome["failures"][0] == TABLE_EXISTS_LINE


def long_update(history, resources):
    """An update touching `resources` resources: two events each, between the stack's start and end events."""
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    for number in range(resources):
        history.resource("Alarm%03d" % number, "UPDATE_IN_PROGRESS", resource_type=cfn.CLOUDWATCH_ALARM)
        history.resource("Alarm%03d" % number, "UPDATE_COMPLETE", resource_type=cfn.CLOUDWATCH_ALARM)
    history.resource("AiChefResultsTable", "UPDATE_FAILED", "Property Threshold cannot be negative")
    history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [AiChefResultsTable]")


def test_poll_once_reads_back_to_after_event_id_across_pages(cloudformation, api_calls, job_file,
                                                             progress_params):
    """An operation of 1 + 2x60 + 2 events spans pages of 50: the events are read back to after_event_id (3
    pages), so the operation's start is found and the root cause is this operation's."""
    history, after_event_id = deployed()
    long_update(history, 60)
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_ROLLBACK_IN_PROGRESS")
    cfn.stub_stack_event_pages(cloudformation.stubber, history.newest_first(), page_size=50, pages=3)

    outcome = module.poll_once(cloudformation.wrapped(), progress_params(after_event_id=after_event_id))

    assert len(outcome["events"]) == 1 + 2 * 60 + 2
    assert outcome["event_lines"][0] == "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated"
    assert outcome["failures"][0] == ("AiChefResultsTable AWS::DynamoDB::Table UPDATE_FAILED: Property Threshold "
                                      "cannot be negative")
    assert api_calls == ["cloudformation:DescribeStacks"] + ["cloudformation:DescribeStackEvents"] * 3


def test_poll_once_without_after_event_id_reads_back_to_the_operation_start(cloudformation, api_calls, job_file,
                                                                            progress_params):
    """A stack created by this deploy (no event before it): pages are read until the CREATE_IN_PROGRESS."""
    history = StackHistory()
    history.stack("CREATE_IN_PROGRESS", "User Initiated")
    for number in range(70):
        history.resource("Alarm%03d" % number, "CREATE_COMPLETE", resource_type=cfn.CLOUDWATCH_ALARM)
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "CREATE_IN_PROGRESS")
    cfn.stub_stack_event_pages(cloudformation.stubber, history.newest_first(), page_size=50, pages=2)

    outcome = module.poll_once(cloudformation.wrapped(), progress_params(after_event_id=""))

    assert len(outcome["events"]) == 71
    assert outcome["events"][0]["resource_status"] == "CREATE_IN_PROGRESS"
    assert api_calls.count("cloudformation:DescribeStackEvents") == 2


def test_poll_once_stops_at_the_page_holding_after_event_id(cloudformation, api_calls, job_file, progress_params):
    """A long history before the deploy is not read: the page with after_event_id is the last one."""
    history = StackHistory().successful_create()
    long_update(history, 80)
    history.stack("UPDATE_ROLLBACK_COMPLETE")
    after_event_id = history.events[-1]["EventId"]
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS")
    cfn.stub_stack_event_pages(cloudformation.stubber, history.newest_first(), page_size=50, pages=1)

    outcome = module.poll_once(cloudformation.wrapped(), progress_params(after_event_id=after_event_id))

    assert outcome["event_lines"] == ["ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated"]
    assert api_calls.count("cloudformation:DescribeStackEvents") == 1
