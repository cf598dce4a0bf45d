# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parallel copy of a migration: one scan cursor per segment (Segment/TotalSegments), a pool of threads over
the segments that the checkpoint has not finished.

Each worker holds one scan page at a time, so memory does not grow with the table: it transforms the page, checks
its target keys for a many-to-one transform (key_collisions), writes it in batches, and records it in the
checkpoint only once its items are written. A page of large items is cut by a Limit from the byte budget
(item_size.page_limit), sized by the largest item of the segment's previous page (the probe's for the first).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import COUNT_NAMES
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import MAX_FAILED_EXAMPLES
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.checkpoint import decode_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import item_size
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import page_limit
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import ItemRejected
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import check_target_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import key_of
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import readable_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import transform_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.writes import BatchWriter


class SegmentCopy:
    """Copy the unfinished segments. should_stop is asked before each page: when it returns True the workers stop
    as if killed; the first error a worker meets stops the others at their next page, then is raised.
    collisions: the run's KeyCollisions; first_item_bytes: the largest probe item (sizes the first pages)."""

    def __init__(self, tables, plan, progress, source_key_names, target_key, should_stop, collisions,
                 first_item_bytes=0):
        self.tables = tables
        self.plan = plan
        self.progress = progress
        self.source_key_names = source_key_names
        self.target_key = target_key
        self.should_stop = should_stop
        self.collisions = collisions
        self.first_item_bytes = first_item_bytes
        self.stop_event = threading.Event()

    @property
    def stopped(self):
        return self.stop_event.is_set()

    def migrate_page(self, items):
        """Transform and write one scan page; the counts and the rejected items' keys (no payload)."""
        counts = dict((name, 0) for name in COUNT_NAMES)
        counts["items_scanned"] = len(items)
        examples = []

        def reject(source_key, reason):
            counts["items_failed"] += 1
            if len(examples) < MAX_FAILED_EXAMPLES:
                examples.append(dict(key=readable_key(source_key), reason=reason))

        kept = []
        for item in items:
            try:
                transformed = transform_item(item, self.plan.transform)
                if transformed is None:
                    counts["items_filtered"] += 1
                    continue
                check_target_item(transformed, self.target_key)
            except ItemRejected as e:
                reject(key_of(item, self.source_key_names), e.reason)
                continue
            kept.append((transformed, key_of(item, self.source_key_names)))
        self.collisions.check(kept)  # before the page's first write
        writer = BatchWriter(self.tables.write_target, [name for name, dummy in self.target_key], reject)
        for transformed, source_key in kept:
            writer.put(transformed, source_key)
        writer.flush()
        counts["items_written"] = writer.written
        return counts, examples

    def migrate_segment(self, segment):
        start_key = decode_key(self.progress.checkpoint["segments"][segment]["last_evaluated_key"])
        more = not self.progress.checkpoint["segments"][segment]["complete"]
        largest = self.first_item_bytes
        while more and not self.stop_event.is_set():
            if self.should_stop():
                self.stop_event.set()
                return
            limit = page_limit(self.plan.max_bytes_per_thread, largest, self.plan.page_size)
            page = self.tables.read_source_page(segment=segment, total_segments=self.plan.total_segments,
                                                exclusive_start_key=start_key,
                                                consistent_read=self.plan.consistent_read, limit=limit)
            items = page.pop("Items", [])
            largest = max([item_size(item) for item in items] or [largest])
            counts, examples = self.migrate_page(items)
            del items  # one page in memory per worker
            start_key = page.get("LastEvaluatedKey")
            self.progress.page_done(segment, start_key, counts, examples)
            more = start_key is not None

    def run(self):
        pending = [state["segment"] for state in self.progress.checkpoint["segments"] if not state["complete"]]
        if not pending:
            return
        errors = []

        def work(segment):
            try:
                self.migrate_segment(segment)
            except Exception as e:  # pylint: disable=broad-except
                errors.append(e)  # the first error stops the other workers at their next page
                self.stop_event.set()

        try:
            with ThreadPoolExecutor(max_workers=min(self.plan.threads, len(pending))) as pool:
                list(pool.map(work, pending))
        finally:
            self.progress.save_now()
        if errors:
            raise errors[0]
