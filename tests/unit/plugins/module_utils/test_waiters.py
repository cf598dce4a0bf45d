"""waiters.py: a bounded wait that re-checks within 1 s and backs off to at most 5 s between polls."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import UnknownStackStatusError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import StackWaitTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import wait_until_settled


def statuses(*values):
    """read_status() answering the given statuses in turn, counting its calls."""
    answers = iter(values)

    def read_status():
        read_status.calls += 1
        return next(answers)
    read_status.calls = 0
    return read_status


class TestWaitUntilSettled:
    def test_wait_until_settled_already_settled_returns_without_sleep(self, clock):
        read = statuses("CREATE_COMPLETE")
        polled = []
        assert wait_until_settled(read, 60, on_poll=polled.append, sleep=clock.sleep, clock=clock) == "CREATE_COMPLETE"
        assert (read.calls, clock.sleeps, polled) == (1, [], [])

    def test_wait_until_settled_busy_then_settled_returns_settled_status(self, clock):
        read = statuses("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE")
        polled = []
        status = wait_until_settled(read, 60, on_poll=polled.append, sleep=clock.sleep, clock=clock)
        assert status == "UPDATE_COMPLETE"
        assert clock.sleeps == [1.0, 1.5]
        assert polled == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"]

    def test_wait_until_settled_failed_status_counts_as_settled(self, clock):
        """Settled means "not busy": a *_FAILED status ends the wait; the caller decides what to do."""
        read = statuses("DELETE_IN_PROGRESS", "DELETE_FAILED")
        assert wait_until_settled(read, 60, sleep=clock.sleep, clock=clock) == "DELETE_FAILED"

    def test_wait_until_settled_absent_counts_as_settled(self, clock):
        read = statuses("DELETE_IN_PROGRESS", "ABSENT")
        assert wait_until_settled(read, 60, sleep=clock.sleep, clock=clock) == "ABSENT"

    def test_wait_until_settled_never_settles_raises_timeout_at_deadline(self, clock):
        read = statuses(*["ROLLBACK_IN_PROGRESS"] * 100)
        with pytest.raises(StackWaitTimeout) as e:
            wait_until_settled(read, 30, sleep=clock.sleep, clock=clock)
        # grows from 1 s, capped at 5 s, and the last sleep is cut to the time left
        assert clock.sleeps == [1.0, 1.5, 2.25, 3.375, 5.0, 5.0, 5.0, 5.0, 1.875]
        assert clock.slept == 30
        assert e.value.status == "ROLLBACK_IN_PROGRESS"
        assert e.value.waited_seconds == 30
        assert str(e.value) == "still ROLLBACK_IN_PROGRESS after 30 s"
        assert read.calls == 10

    def test_wait_until_settled_zero_timeout_raises_without_sleep(self, clock):
        read = statuses("UPDATE_IN_PROGRESS")
        with pytest.raises(StackWaitTimeout):
            wait_until_settled(read, 0, sleep=clock.sleep, clock=clock)
        assert clock.sleeps == []

    def test_wait_until_settled_settles_on_last_poll_returns(self, clock):
        """Settling on the read that happens exactly at the deadline still counts."""
        read = statuses("CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE")
        assert wait_until_settled(read, 2.5, sleep=clock.sleep, clock=clock) == "CREATE_COMPLETE"
        assert clock.slept == 2.5

    def test_wait_until_settled_unknown_status_raises(self, clock):
        read = statuses("CREATE_IN_PROGRESS", "SOMETHING_NEW_IN_PROGRESS")
        with pytest.raises(UnknownStackStatusError):
            wait_until_settled(read, 60, sleep=clock.sleep, clock=clock)
