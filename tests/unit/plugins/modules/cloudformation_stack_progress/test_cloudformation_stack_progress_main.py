"""main(): the module end to end, reading the async job's results file, with AnsibleAWSModule.client returning
the Stubber-backed client. window=0 where the deploy is still running: one poll, no real sleep."""
import yaml

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory

DOCUMENTED_KEYS = set(yaml.safe_load(module.RETURN))
ANSIBLE_KEYS = {"changed", "msg", "invocation", "warnings", "deprecations", "failed"}
OUTPUTS = {"SessionsTableName": "ai-chef-sessions", "ResultsTableName": "ai-chef-results"}


def deployed():
    """A created stack and the id of its newest event at deploy time (the plan's last_event_id)."""
    history = StackHistory().successful_create()
    return history, history.events[-1]["EventId"]


def stub_poll(cloudformation, status, history):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())


def test_main_running_deploy_returns_unsettled_with_event_lines(run_main, cloudformation, requested_clients, job_file):
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
    job_file.running()
    stub_poll(cloudformation, "UPDATE_IN_PROGRESS", history)

    rc, result = run_main(after_event_id=after_event_id, window=0)

    assert rc == 0
    assert (result["settled"], result["changed"], result["stack_status"]) == (False, False, "UPDATE_IN_PROGRESS")
    assert result["msg"] == "Stack %s is UPDATE_IN_PROGRESS" % STACK_NAME
    assert result["event_lines"] == ["ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated",
                                     "AiChefResultsTable AWS::DynamoDB::Table UPDATE_IN_PROGRESS"]
    assert result["stack_outputs"] == {} and "output" not in result  # the stub stack declares no output
    assert requested_clients == ["cloudformation"]


def test_main_finished_deploy_returns_settled_lines_and_outputs(run_main, cloudformation, requested_clients, job_file):
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefResultsTable", "UPDATE_COMPLETE", physical_id="ai-chef-results")
    history.stack("UPDATE_COMPLETE")
    job_file.finished(changed=True, output="Stack UPDATE complete", stack_outputs=OUTPUTS, events=[])
    stub_poll(cloudformation, "UPDATE_COMPLETE", history)

    rc, result = run_main(after_event_id=after_event_id)

    assert rc == 0
    assert DOCUMENTED_KEYS <= set(result) and set(result) - DOCUMENTED_KEYS <= ANSIBLE_KEYS
    assert (result["settled"], result["changed"], result["failures"]) == (True, True, [])
    assert result["msg"] == "Deploy of stack %s: UPDATE_COMPLETE" % STACK_NAME
    assert result["event_lines"] == ["ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated",
                                     "AiChefResultsTable AWS::DynamoDB::Table UPDATE_COMPLETE",
                                     "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_COMPLETE"]
    assert (result["stack_outputs"], result["output"]) == (OUTPUTS, "Stack UPDATE complete")


def test_main_operation_ended_before_the_job_settles_with_the_stacks_outputs(run_main, cloudformation,
                                                                             requested_clients, job_file):
    """The job is still asleep between its looks; the stack's own end event settles the follow, changed, with the
    outputs the stack describes."""
    history, after_event_id = deployed()
    history.stack("UPDATE_IN_PROGRESS", "User Initiated")
    history.resource("AiChefResultsTable", "UPDATE_COMPLETE", physical_id="ai-chef-results")
    history.stack("UPDATE_COMPLETE")
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE", outputs=OUTPUTS)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())

    rc, result = run_main(after_event_id=after_event_id)

    assert rc == 0
    assert (result["settled"], result["changed"], result["failures"]) == (True, True, [])
    assert (result["stack_outputs"], result["output"]) == (OUTPUTS, "Stack UPDATE_COMPLETE")
    assert result["msg"] == "Deploy of stack %s: UPDATE_COMPLETE" % STACK_NAME


def test_main_rolled_back_update_fails_with_root_cause_first(run_main, cloudformation, requested_clients, job_file):
    history, after_event_id = deployed()
    history.failed_update("Property Threshold cannot be negative", final_status="UPDATE_ROLLBACK_COMPLETE")
    job_file.finished(failed=True, msg="Failed to update stack: UPDATE_ROLLBACK_COMPLETE", output="Stack UPDATE failed")
    stub_poll(cloudformation, "UPDATE_ROLLBACK_COMPLETE", history)

    rc, result = run_main(after_event_id=after_event_id)

    assert (rc, result["failed"], result["settled"]) == (1, True, True)
    assert result["msg"].splitlines()[0] == (
        "Deploy of stack %s failed (UPDATE_ROLLBACK_COMPLETE): SessionsTableErrorAlarm AWS::CloudWatch::Alarm "
        "UPDATE_FAILED: Property Threshold cannot be negative" % STACK_NAME)
    assert result["failures"][0] == result["msg"].splitlines()[0].split("): ", 1)[1]
    assert result["event_lines"][-1] == "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_ROLLBACK_COMPLETE"


def test_main_job_failed_before_operation_fails_saying_nothing_changed(run_main, cloudformation, requested_clients,
                                                                       job_file):
    history, after_event_id = deployed()
    job_file.finished(failed=True, msg="Template format error: Unresolved resource dependencies [X]")
    stub_poll(cloudformation, "CREATE_COMPLETE", history)

    rc, result = run_main(after_event_id=after_event_id)

    assert (rc, result["settled"], result["event_lines"]) == (1, True, [])
    assert result["msg"] == ("Deploy of stack %s failed before CloudFormation changed anything: Template format "
                             "error: Unresolved resource dependencies [X]" % STACK_NAME)


def test_main_access_denied_fails_with_aws_error(run_main, cloudformation, requested_clients, job_file):
    job_file.running()
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_IN_PROGRESS", error_code="AccessDenied",
                             error_message="User is not authorized to perform: cloudformation:DescribeStacks")

    rc, result = run_main(window=0)

    assert rc == 1
    assert result["msg"].startswith("Failed to describe stack %s: An error occurred (AccessDenied)" % STACK_NAME)
    assert result["error"]["code"] == "AccessDenied"


def test_main_failed_create_rolled_back_before_the_job_ends_fails_with_root_cause(run_main, cloudformation,
                                                                                  requested_clients, job_file):
    """ROLLBACK_COMPLETE recorded while the job still sleeps: the follow ends at once, failing with the root cause
    (the colliding table), not with the cancellation echo or the job's later summary."""
    history = StackHistory().failed_create()
    job_file.running()
    stub_poll(cloudformation, "ROLLBACK_COMPLETE", history)

    rc, result = run_main(after_event_id="")

    assert (rc, result["settled"], result["stack_status"]) == (1, True, "ROLLBACK_COMPLETE")
    assert result["msg"].splitlines()[0] == "Deploy of stack %s failed (ROLLBACK_COMPLETE): %s" % (
        STACK_NAME, cfn.TABLE_EXISTS_LINE)
