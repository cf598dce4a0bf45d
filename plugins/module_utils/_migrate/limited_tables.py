# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The source and target tables as one migration run reaches them, each call within its capacity limit.

The copy and the verification share these calls: every read and write waits its turn on, and is charged to, the
CapacityLimiter of its table and direction, so the run as a whole keeps to the limits however many threads call,
and reports the units it used. In check mode nothing is written.
"""

import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import get_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import scan_page
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.capacity import CapacityLimiter
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.writes import write_batch


class LimitedTables:
    """source, target: DynamoDB clients (RetryingBotoClientWrapper or plain); plan: a MigrationPlan."""

    def __init__(self, source, target, plan, rng, check_mode=False, sleep=time.sleep, clock=time.monotonic):
        self.source = source
        self.target = target
        self.plan = plan
        self.rng = rng
        self.check_mode = check_mode
        self.sleep = sleep
        # The source serves the application while it is read; the target may be provisioned: their limits.
        self.source_reads = CapacityLimiter(plan.max_read_units_per_second, clock=clock, sleep=sleep)
        self.target_writes = CapacityLimiter(plan.max_write_units_per_second, clock=clock, sleep=sleep)
        self.target_reads = CapacityLimiter(clock=clock, sleep=sleep)  # verification: counted, not limited

    def read_source_page(self, **scan_options):
        """One scan page of the source, within its read limit."""
        return self.source_reads.call(scan_page, self.source, self.plan.source_table, **scan_options)

    def get_source_item(self, key):
        return self.source_reads.call(get_item, self.source, self.plan.source_table, key, self.plan.consistent_read)

    def write_target(self, requests):
        if not self.check_mode:
            write_batch(self.target, self.plan.target_table, requests, self.plan.write_retries,
                        self.plan.max_delay, sleep=self.sleep, rng=self.rng, capacity=self.target_writes)

    def read_target_page(self, **scan_options):
        return self.target_reads.call(scan_page, self.target, self.plan.target_table, **scan_options)

    def get_target_item(self, key):
        """Strongly consistent: an item written moments ago must be found."""
        return self.target_reads.call(get_item, self.target, self.plan.target_table, key, True)

    def units_used(self):
        return dict(source_read_units=round(self.source_reads.total, 1),
                    target_write_units=round(self.target_writes.total, 1),
                    target_read_units=round(self.target_reads.total, 1),
                    capacity_wait_seconds=round(self.source_reads.waited + self.target_writes.waited, 1))
