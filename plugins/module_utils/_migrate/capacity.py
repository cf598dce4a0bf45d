# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Count the capacity units DynamoDB reports, and keep their rate under a limit across threads.

A migration reads a table that the application is using: on a provisioned table, a parallel scan at full
speed takes the read capacity the application needs and its requests get throttled. The limit is what the
operator can spare, in capacity units per second.

The cost of a call is only known from its answer (ConsumedCapacity), so the limiter works on debt: a call may
start while the budget is not negative; its cost is then charged, and the next call waits until the debt has
been paid back at the limit's rate. Over any stretch of time the rate stays within the limit plus one call's
cost (a scan page of 1 MB is 128 read units, a batch of 25 small items 25 write units).
"""

import threading
import time

# A budget never saves up more than this many seconds of the rate: after a pause, calls may burst this much.
BURST_SECONDS = 1.0
# A debt this small counts as paid: time and units are floats, and a wait that pays exactly may leave -1e-14.
PAID_BACK = 1e-9


def consumed_units(response):
    """Capacity units a response reports: Scan and GetItem give one ConsumedCapacity dict, BatchWriteItem a list
    of them (one per table). 0.0 when the response has none (ReturnConsumedCapacity was not asked)."""
    consumed = response.get("ConsumedCapacity") or []
    if isinstance(consumed, dict):
        consumed = [consumed]
    return float(sum(entry.get("CapacityUnits") or 0.0 for entry in consumed))


class CapacityLimiter:
    """Capacity spent by several threads: counted always, limited to units_per_second when that is set."""

    def __init__(self, units_per_second=None, clock=time.monotonic, sleep=time.sleep):
        self.units_per_second = units_per_second
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()
        self.total = 0.0
        self.waited = 0.0
        self.budget = (units_per_second or 0.0) * BURST_SECONDS
        self.updated = clock()

    def _refill(self):
        now = self.clock()
        ceiling = self.units_per_second * BURST_SECONDS
        self.budget = min(ceiling, self.budget + (now - self.updated) * self.units_per_second)
        self.updated = now

    def wait_turn(self):
        """Return once a call may start: at once without a limit, else once the budget's debt has been paid."""
        if not self.units_per_second:
            return
        while True:
            with self.lock:
                self._refill()
                if self.budget > -PAID_BACK:
                    return
                delay = -self.budget / self.units_per_second
                self.waited += delay
            self.sleep(delay)

    def call(self, function, *args, **kwargs):
        """function(*args, **kwargs) once its turn has come, charged with what its response reports."""
        self.wait_turn()
        response = function(*args, **kwargs)
        self.spend(response)
        return response

    def spend(self, response):
        """Charge what the response reports; returns those units."""
        units = consumed_units(response)
        with self.lock:
            self.total += units
            if self.units_per_second:
                self._refill()
                self.budget -= units
        return units
