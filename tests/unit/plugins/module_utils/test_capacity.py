"""capacity.py: units counted from DynamoDB's answers; their rate kept under a limit, on a fake clock."""
import threading

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.capacity import CapacityLimiter
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.capacity import consumed_units


class TestConsumedUnits:
    def test_consumed_units_scan_answer_one_dict(self):
        assert consumed_units({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 64.5}}) == 64.5

    def test_consumed_units_batch_write_answer_list_summed(self):
        response = {"ConsumedCapacity": [{"TableName": "a", "CapacityUnits": 25.0},
                                         {"TableName": "b", "CapacityUnits": 3.0}]}
        assert consumed_units(response) == 28.0

    @pytest.mark.parametrize("response", [{}, {"ConsumedCapacity": None}, {"ConsumedCapacity": {"TableName": "t"}}])
    def test_consumed_units_not_reported_is_zero(self, response):
        assert consumed_units(response) == 0.0


def spend(limiter, units):
    return limiter.spend({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": units}})


class TestCapacityLimiter:
    def test_without_limit_never_waits_and_counts(self, clock):
        limiter = CapacityLimiter(clock=clock, sleep=clock.sleep)
        for dummy in range(100):
            limiter.wait_turn()
            spend(limiter, 128.0)
        assert (clock.sleeps, limiter.total, limiter.waited) == ([], 12800.0, 0.0)

    def test_first_call_starts_at_once_the_next_waits_for_its_debt(self, clock):
        limiter = CapacityLimiter(50.0, clock=clock, sleep=clock.sleep)
        limiter.wait_turn()
        assert clock.sleeps == []
        spend(limiter, 128.0)  # 50 units of burst, 78 in debt: 1.56 s at 50 units a second
        limiter.wait_turn()
        assert clock.sleeps == [pytest.approx(1.56)]
        assert limiter.waited == pytest.approx(1.56)

    def test_time_between_calls_pays_the_debt(self, clock):
        limiter = CapacityLimiter(10.0, clock=clock, sleep=clock.sleep)
        spend(limiter, 30.0)
        clock.now += 2.0  # the caller was busy writing: 20 of the 20 units of debt are paid
        limiter.wait_turn()
        assert clock.sleeps == []

    def test_a_pause_saves_up_one_second_of_rate_at_most(self, clock):
        limiter = CapacityLimiter(10.0, clock=clock, sleep=clock.sleep)
        clock.now += 3600.0
        spend(limiter, 25.0)  # a burst of 10, not of 36,000
        limiter.wait_turn()
        assert clock.sleeps == [pytest.approx(1.5)]

    def test_average_rate_stays_under_the_limit_plus_one_call(self, clock):
        """1,000 units in calls of 25 at 10 a second: at least (1000 - 10 burst - 25 last call) / 10 s."""
        limiter = CapacityLimiter(10.0, clock=clock, sleep=clock.sleep)
        started = clock()
        for dummy in range(40):
            limiter.wait_turn()
            spend(limiter, 25.0)
        elapsed = clock() - started
        assert 96.5 <= elapsed <= 100.0

    def test_call_waits_its_turn_then_charges_the_answer(self, clock):
        limiter = CapacityLimiter(10.0, clock=clock, sleep=clock.sleep)
        answer = {"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 25.0}}
        assert limiter.call(lambda **kwargs: dict(answer, asked=kwargs), TableName="t")["asked"] == {"TableName": "t"}
        assert (clock.sleeps, limiter.total) == ([], 25.0)
        limiter.call(lambda: answer)
        assert (clock.sleeps, limiter.total) == ([pytest.approx(1.5)], 50.0)

    def test_threads_spending_at_once_count_every_unit(self):
        limiter = CapacityLimiter()

        def work():
            for dummy in range(1000):
                spend(limiter, 0.5)
        threads = [threading.Thread(target=work) for dummy in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert limiter.total == 4000.0
