"""failure_message(): None when the deploy went well; otherwise the root cause on the first line."""
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import TABLE_EXISTS_LINE

ALARM_FAILED = ("SessionsTableErrorAlarm AWS::CloudWatch::Alarm UPDATE_FAILED: Property Threshold cannot be "
                "negative")
CANCELLED = "AiChefSessionsTable AWS::DynamoDB::Table UPDATE_FAILED: Resource update cancelled"


def outcome(stack_status, failures=(), job=None):
    return dict(stack_status=stack_status, failures=list(failures), job=job, settled=True)


def test_failure_message_update_rolled_back_root_cause_first_line():
    message = module.failure_message(STACK_NAME, outcome("UPDATE_ROLLBACK_COMPLETE", [ALARM_FAILED, CANCELLED],
                                                         job={"failed": True, "msg": "Stack UPDATE failed"}))
    assert message.splitlines() == [
        "Deploy of stack %s failed (UPDATE_ROLLBACK_COMPLETE): %s" % (STACK_NAME, ALARM_FAILED), CANCELLED]


def test_failure_message_rolled_back_before_job_result_still_fails():
    """The stack says it rolled back; the job has not written its result yet: still a failure."""
    message = module.failure_message(STACK_NAME, outcome("ROLLBACK_COMPLETE", [TABLE_EXISTS_LINE]))
    assert message == "Deploy of stack %s failed (ROLLBACK_COMPLETE): %s" % (STACK_NAME, TABLE_EXISTS_LINE)


def test_failure_message_job_failed_before_any_operation_says_nothing_changed():
    job = {"failed": True,
           "msg": "Template format error:\n  Unresolved resource dependencies [X] in the Resources block"}
    message = module.failure_message(STACK_NAME, outcome("UPDATE_COMPLETE", job=job))
    assert message == ("Deploy of stack %s failed before CloudFormation changed anything: Template format error: "
                       "Unresolved resource dependencies [X] in the Resources block" % STACK_NAME)


def test_failure_message_job_failed_without_msg_says_unknown_error():
    message = module.failure_message(STACK_NAME, outcome(ABSENT_STATUS, job={"failed": True}))
    assert message == "Deploy of stack %s failed before CloudFormation changed anything: unknown error" % STACK_NAME


def test_failure_message_success_returns_none():
    for status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"):
        assert module.failure_message(STACK_NAME, outcome(status, job={"changed": True})) is None
    assert module.failure_message(STACK_NAME, outcome("UPDATE_COMPLETE")) is None  # job result not read yet


def test_failure_message_unsuccessful_status_without_failures_names_status():
    assert module.failure_message(STACK_NAME, outcome("UPDATE_ROLLBACK_COMPLETE")) == (
        "Deploy of stack %s ended in UPDATE_ROLLBACK_COMPLETE" % STACK_NAME)
