"""stack_events callback: each event line printed once per task and host, across the retries of an until loop."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.callback.stack_events import CallbackModule

CREATE = "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_IN_PROGRESS: User Initiated"
TABLE = "AiChefResultsTable AWS::DynamoDB::Table UPDATE_IN_PROGRESS"
TABLE_DONE = "AiChefResultsTable AWS::DynamoDB::Table UPDATE_COMPLETE"
DONE = "ai-chef-dynamodb AWS::CloudFormation::Stack UPDATE_COMPLETE"


class FakeDisplay:
    verbosity = 0

    def __init__(self):
        self.lines = []

    def display(self, msg, *args, **kwargs):
        self.lines.append(msg)


class FakeTask:
    def __init__(self, uuid):
        self._uuid = uuid


class FakeHost:
    def __init__(self, name):
        self._name = name

    def get_name(self):
        return self._name


class FakeResult:
    """What a v2_runner_* callback receives: the module result, its task and its host."""

    def __init__(self, result, task_uuid="task-1", host="localhost"):
        self._result = result
        self._task = FakeTask(task_uuid)
        self._host = FakeHost(host)


def poll(*lines, **kwargs):
    return FakeResult(dict(settled=False, event_lines=list(lines)), **kwargs)


@pytest.fixture
def display():
    return FakeDisplay()


@pytest.fixture
def callback(display):
    return CallbackModule(display=display)


def test_stack_events_retries_then_ok_prints_each_line_once_in_order(callback, display):
    callback.v2_runner_retry(poll(CREATE))
    callback.v2_runner_retry(poll(CREATE, TABLE))
    callback.v2_runner_retry(poll(CREATE, TABLE))  # nothing new since the last poll
    callback.v2_runner_on_ok(poll(CREATE, TABLE, TABLE_DONE, DONE))

    assert display.lines == ["    localhost | " + line for line in (CREATE, TABLE, TABLE_DONE, DONE)]


def test_stack_events_retry_then_failed_prints_remaining_lines(callback, display):
    failed_line = "SessionsTableErrorAlarm AWS::CloudWatch::Alarm UPDATE_FAILED: Threshold cannot be negative"
    callback.v2_runner_retry(poll(CREATE))
    callback.v2_runner_on_failed(poll(CREATE, failed_line), ignore_errors=False)

    assert display.lines == ["    localhost | " + CREATE, "    localhost | " + failed_line]


def test_stack_events_two_hosts_counted_apart(callback, display):
    callback.v2_runner_retry(poll(CREATE, host="deployer-a"))
    callback.v2_runner_retry(poll(CREATE, host="deployer-b"))
    callback.v2_runner_on_ok(poll(CREATE, TABLE, host="deployer-a"))

    assert display.lines == ["    deployer-a | " + CREATE, "    deployer-b | " + CREATE, "    deployer-a | " + TABLE]


def test_stack_events_new_task_prints_from_its_first_line(callback, display):
    """A second deploy in the same play (another task) starts its own count."""
    callback.v2_runner_on_ok(poll(CREATE, DONE, task_uuid="task-1"))
    callback.v2_runner_on_ok(poll(CREATE, task_uuid="task-2"))

    assert display.lines == ["    localhost | " + CREATE, "    localhost | " + DONE, "    localhost | " + CREATE]


@pytest.mark.parametrize("result", [
    dict(changed=False, msg="Stack ai-chef-dynamodb is UPDATE_COMPLETE"),
    dict(event_lines="not a list"),
    dict(events=[{"resource_status": "UPDATE_COMPLETE"}]),
], ids=["no-event-lines", "event-lines-not-list", "recovery-events"])
def test_stack_events_other_results_print_nothing(result, callback, display):
    callback.v2_runner_on_ok(FakeResult(result))
    callback.v2_runner_retry(FakeResult(result))
    callback.v2_runner_on_failed(FakeResult(result))

    assert display.lines == []


def test_stack_events_empty_event_lines_print_nothing(callback, display):
    callback.v2_runner_retry(poll())
    callback.v2_runner_on_ok(poll())
    assert display.lines == []
