"""A deploy in several updates (one GSI per table per update): the step being followed in a failure message, and
last_event_id, from which the next step's events are followed."""
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import StackHistory

STEP = "step 2/3: create index session-time-index on ai-chef-results"
STEP_LINE = ("This was %s: the steps before it are deployed, and a failed update rolls back to the last good step; "
             "once the stack has settled, a re-run plans the remaining steps from there" % STEP)
ROOT_CAUSE = ("Deploy of stack %s failed (UPDATE_ROLLBACK_COMPLETE): SessionsTableErrorAlarm AWS::CloudWatch::Alarm "
              "UPDATE_FAILED: Property Threshold cannot be negative" % STACK_NAME)
GSI_LIMIT = ("Cannot perform more than one GSI creation or deletion in a single update")


def deployed():
    """A created stack; after_event_id is its newest event, as the plan (or the previous step) reported it."""
    history = StackHistory().successful_create()
    return history, history.events[-1]["EventId"]


def stub_poll(cloudformation, status, history):
    cfn.stub_describe_stacks(cloudformation.stubber, status)
    cfn.stub_describe_stack_events(cloudformation.stubber, history.newest_first())


def poll(cloudformation, params, status, history):
    stub_poll(cloudformation, status, history)
    return module.poll_once(cloudformation.wrapped(), params)


class TestStepInFailure:
    def test_failed_step_ends_with_the_step_line_after_the_root_cause(self, run_main, cloudformation,
                                                                      requested_clients, job_file):
        history, after_event_id = deployed()
        history.failed_update("Property Threshold cannot be negative", final_status="UPDATE_ROLLBACK_COMPLETE")
        job_file.finished(failed=True, msg="Failed to update stack: UPDATE_ROLLBACK_COMPLETE")
        stub_poll(cloudformation, "UPDATE_ROLLBACK_COMPLETE", history)

        rc, result = run_main(after_event_id=after_event_id, step=STEP)

        assert (rc, result["failed"], result["settled"]) == (1, True, True)
        lines = result["msg"].splitlines()
        assert lines[0] == ROOT_CAUSE  # still the first line
        assert lines[-1] == STEP_LINE
        assert lines[1:-1] == result["failures"][1:]  # the other failures between them, unchanged

    def test_same_failure_without_step_has_no_step_line(self, run_main, cloudformation, requested_clients,
                                                        job_file):
        history, after_event_id = deployed()
        history.failed_update("Property Threshold cannot be negative", final_status="UPDATE_ROLLBACK_COMPLETE")
        job_file.finished(failed=True, msg="Failed to update stack: UPDATE_ROLLBACK_COMPLETE")
        stub_poll(cloudformation, "UPDATE_ROLLBACK_COMPLETE", history)

        rc, result = run_main(after_event_id=after_event_id)

        assert rc == 1
        assert result["msg"].splitlines()[0] == ROOT_CAUSE
        assert "last good step" not in result["msg"]

    def test_failed_gsi_step_names_the_gsi_limit_first(self, run_main, cloudformation, requested_clients, job_file):
        history, after_event_id = deployed()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
        history.resource("AiChefResultsTable", "UPDATE_FAILED", GSI_LIMIT)
        history.stack("UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: "
                                                     "[AiChefResultsTable].")
        history.resource("AiChefResultsTable", "UPDATE_COMPLETE")
        history.stack("UPDATE_ROLLBACK_COMPLETE")
        job_file.finished(failed=True, msg="Failed to update stack: UPDATE_ROLLBACK_COMPLETE")
        stub_poll(cloudformation, "UPDATE_ROLLBACK_COMPLETE", history)

        rc, result = run_main(after_event_id=after_event_id, step=STEP)

        assert rc == 1
        assert result["msg"].splitlines() == [
            "Deploy of stack %s failed (UPDATE_ROLLBACK_COMPLETE): AiChefResultsTable AWS::DynamoDB::Table "
            "UPDATE_FAILED: %s" % (STACK_NAME, GSI_LIMIT), STEP_LINE]

    def test_step_before_any_operation_still_says_nothing_changed_first(self, run_main, cloudformation,
                                                                        requested_clients, job_file):
        history, after_event_id = deployed()
        job_file.finished(failed=True, msg="Template format error: Unresolved resource dependencies [X]")
        stub_poll(cloudformation, "CREATE_COMPLETE", history)

        rc, result = run_main(after_event_id=after_event_id, step=STEP)

        assert rc == 1
        lines = result["msg"].splitlines()
        assert lines[0] == ("Deploy of stack %s failed before CloudFormation changed anything: Template format "
                            "error: Unresolved resource dependencies [X]" % STACK_NAME)
        assert len(lines) == 2 and lines[1].startswith("This was %s: " % STEP)
        assert "a re-run plans the remaining steps from there" in lines[1]

    def test_successful_step_has_no_step_line(self, run_main, cloudformation, requested_clients, job_file):
        history, after_event_id = deployed()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        history.resource("AiChefResultsTable", "UPDATE_COMPLETE", physical_id="ai-chef-results")
        history.stack("UPDATE_COMPLETE")
        job_file.finished(changed=True, output="Stack UPDATE complete")
        stub_poll(cloudformation, "UPDATE_COMPLETE", history)

        rc, result = run_main(after_event_id=after_event_id, step=STEP)

        assert (rc, result["msg"]) == (0, "Deploy of stack %s: UPDATE_COMPLETE" % STACK_NAME)

    def test_running_step_has_no_step_line(self, run_main, cloudformation, requested_clients, job_file):
        history, after_event_id = deployed()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        job_file.running()
        stub_poll(cloudformation, "UPDATE_IN_PROGRESS", history)

        rc, result = run_main(after_event_id=after_event_id, step=STEP, window=0)

        assert (rc, result["msg"]) == (0, "Stack %s is UPDATE_IN_PROGRESS" % STACK_NAME)


class TestLastEventId:
    def test_documented(self):
        assert "last_event_id" in yaml.safe_load(module.RETURN)
        assert "step" in yaml.safe_load(module.DOCUMENTATION)["options"]

    def test_running_operation_newest_event_so_far(self, cloudformation, job_file, progress_params):
        history, after_event_id = deployed()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        newest = history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
        job_file.running()

        outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_IN_PROGRESS", history)

        assert outcome["last_event_id"] == newest["EventId"] != after_event_id

    def test_ended_operation_its_final_stack_event(self, cloudformation, job_file, progress_params):
        history, after_event_id = deployed()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        history.resource("AiChefResultsTable", "UPDATE_COMPLETE")
        end = history.stack("UPDATE_COMPLETE")
        job_file.finished(changed=True)

        outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "UPDATE_COMPLETE", history)

        assert outcome["settled"] is True
        assert outcome["last_event_id"] == end["EventId"] == outcome["events"][-1]["event_id"]

    def test_no_operation_yet_keeps_after_event_id(self, cloudformation, job_file, progress_params):
        history, after_event_id = deployed()
        job_file.running()

        outcome = poll(cloudformation, progress_params(after_event_id=after_event_id), "CREATE_COMPLETE", history)

        assert (outcome["events"], outcome["last_event_id"]) == ([], after_event_id)

    def test_job_ended_without_operation_keeps_after_event_id(self, run_main, cloudformation, requested_clients,
                                                              job_file):
        """A step that CloudFormation found nothing to do for records no event: the next step follows from the
        same event."""
        history, after_event_id = deployed()
        job_file.finished(changed=False, output="Stack is already up to date")
        stub_poll(cloudformation, "CREATE_COMPLETE", history)

        rc, result = run_main(after_event_id=after_event_id)

        assert (rc, result["settled"], result["last_event_id"]) == (0, True, after_event_id)

    def test_absent_stack_without_after_event_id_is_empty(self, cloudformation, progress_params):
        cfn.stub_describe_stacks(cloudformation.stubber, ABSENT_STATUS)
        cfn.stub_describe_stack_events(cloudformation.stubber, [], error_code="ValidationError",
                                       error_message="Stack [ai-chef-dynamodb] does not exist")

        outcome = module.poll_once(cloudformation.wrapped(), progress_params(job_results_file=None))

        assert outcome["last_event_id"] == ""

    def test_next_step_followed_from_the_previous_steps_last_event_id(self, run_main, cloudformation,
                                                                      requested_clients, job_file):
        """Step 1 ends; its last_event_id is step 2's after_event_id: step 2 sees its own operation only, and is
        not settled by step 1's UPDATE_COMPLETE."""
        history, after_event_id = deployed()
        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        history.resource("AiChefResultsTable", "UPDATE_COMPLETE")
        history.stack("UPDATE_COMPLETE")
        job_file.finished(changed=True)
        stub_poll(cloudformation, "UPDATE_COMPLETE", history)

        rc, first = run_main(after_event_id=after_event_id, step="step 1/2: create index a-index on ai-chef-results")

        assert (rc, first["settled"], first["last_event_id"]) == (0, True, history.events[-1]["EventId"])

        job_file.running()  # step 2's deploy job has started, its operation not yet
        stub_poll(cloudformation, "UPDATE_COMPLETE", history)

        rc, second = run_main(after_event_id=first["last_event_id"], window=0,
                              step="step 2/2: create index b-index on ai-chef-results")

        assert (rc, second["settled"], second["events"], second["last_event_id"]) == (
            0, False, [], first["last_event_id"])

        history.stack("UPDATE_IN_PROGRESS", "User Initiated")
        history.resource("AiChefResultsTable", "UPDATE_IN_PROGRESS")
        stub_poll(cloudformation, "UPDATE_IN_PROGRESS", history)

        rc, third = run_main(after_event_id=first["last_event_id"], window=0,
                             step="step 2/2: create index b-index on ai-chef-results")

        assert [event["resource_status"] for event in third["events"]] == ["UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"]
        assert third["last_event_id"] == history.events[-1]["EventId"]
