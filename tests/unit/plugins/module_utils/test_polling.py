"""_common/polling.py: the delays between polls, and poll_until, the one bounded wait every wait runs through."""
import itertools

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import PollTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import follow_delays
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_delays
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_until


class TestPollDelays:
    def test_poll_delays_first_within_one_second_growing_capped_at_five(self):
        delays = list(itertools.islice(poll_delays(), 12))
        assert delays[0] <= 1.0
        assert delays[:5] == [1.0, 1.5, 2.25, 3.375, 5.0]
        assert all(later >= earlier for earlier, later in zip(delays, delays[1:]))
        assert max(delays) == 5.0
        assert delays[4:] == [5.0] * 8

    def test_poll_delays_custom_values_respected(self):
        assert list(itertools.islice(poll_delays(first=2, growth=2, maximum=10), 5)) == [2, 4, 8, 10, 10]

    def test_follow_delays_start_at_half_a_second_capped_at_one(self):
        """A followed deploy notices the stack settling within 0.5 s at first, 1 s at most, whatever its length."""
        assert list(itertools.islice(follow_delays(), 6)) == [0.5, 0.75, 1.0, 1.0, 1.0, 1.0]


class TestPollUntil:
    def test_constant_delays_never_sleep_past_the_deadline_and_the_timeout_carries_the_last_value(self, clock):
        answers = iter([dict(status="IN_PROGRESS", n=n) for n in range(3)])
        seen = []
        with pytest.raises(PollTimeout) as raised:
            poll_until(lambda: next(answers), lambda value: value["status"] != "IN_PROGRESS", 500,
                       delays=itertools.repeat(300), on_poll=seen.append, sleep=clock.sleep, clock=clock)
        assert clock.sleeps == [300, 200]  # the second sleep stops at the deadline
        assert raised.value.value == dict(status="IN_PROGRESS", n=2) and raised.value.waited_seconds == 500
        assert [value["n"] for value in seen] == [0, 1, 2]

    def test_done_at_first_read_returns_it_without_sleeping_or_on_poll(self, clock):
        seen = []
        assert poll_until(lambda: "COMPLETED", lambda value: value == "COMPLETED", 60, on_poll=seen.append,
                          sleep=clock.sleep, clock=clock) == "COMPLETED"
        assert clock.sleeps == [] and seen == []
