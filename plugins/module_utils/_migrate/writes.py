# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes to the target table: BatchWriteItem in batches of 25, and what DynamoDB answers that is not success.

UnprocessedItems are re-sent under exponential backoff with full jitter; a batch refused as a whole (one item
over 400 KB, say) is written item by item so that only the items at fault are rejected.
"""

import random
import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import batch_write_items
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import unprocessed_requests
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.capacity import CapacityLimiter
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import canonical_value

MAX_BATCH_ITEMS = 25  # BatchWriteItem's limit
FIRST_UNPROCESSED_DELAY_SECONDS = 0.05


class UnprocessedItemsLeft(DynamoDBError):
    """BatchWriteItem kept returning UnprocessedItems after every allowed attempt."""


def write_batch(client, table_name, write_requests, retries, max_delay, sleep=time.sleep, rng=random, capacity=None):
    """Write up to 25 requests; re-send UnprocessedItems with exponential backoff and full jitter.

    Attempt n (from 0) that leaves items unprocessed waits uniform(0, min(max_delay, 0.05 * 2**n)) seconds
    before re-sending only those items. Raises UnprocessedItemsLeft after retries re-sends. capacity: a
    CapacityLimiter each call waits its turn on and is charged to (the target's write limit).
    """
    capacity = capacity or CapacityLimiter()
    pending = write_requests
    for attempt in range(retries + 1):
        pending = unprocessed_requests(capacity.call(batch_write_items, client, table_name, pending), table_name)
        if not pending:
            return
        if attempt < retries:
            sleep(rng.uniform(0, min(max_delay, FIRST_UNPROCESSED_DELAY_SECONDS * 2 ** attempt)))
    raise UnprocessedItemsLeft(message="%d of %d items were still unprocessed by table %s after %d attempts "
                                       "(throttled? raise backoff_retries or the table's write capacity); the "
                                       "checkpoint keeps the progress so far" % (
                                           len(pending), len(write_requests), table_name, retries + 1))


def is_validation_error(error):
    cause = getattr(error, "exception", None)
    response = getattr(cause, "response", None) or {}
    return response.get("Error", {}).get("Code") == "ValidationException"


def key_signature(item, key_names):
    """A hashable key: two requests with the same signature may not share one BatchWriteItem call."""
    return tuple(canonical_value(item[name]) if name in item else None for name in key_names)


class BatchWriter:
    """Collects put requests into batches of 25 (never two with the same key in one call) and writes them.

    When DynamoDB refuses a whole batch as invalid (one item over 400 KB, say), the items are written one by
    one so that only the refused ones are rejected, each with DynamoDB's reason. If every one of them is
    refused, the cause is not in the items: the original error is raised.
    """

    def __init__(self, write, key_names, on_rejected):
        self.write = write
        self.key_names = key_names
        self.on_rejected = on_rejected
        self.requests = []
        self.source_keys = []
        self.keys = set()
        self.written = 0

    def put(self, item, source_key=None):
        signature = key_signature(item, self.key_names)
        if signature in self.keys:  # BatchWriteItem refuses duplicate keys; the later item must win
            self.flush()
        self.requests.append({"PutRequest": {"Item": item}})
        self.source_keys.append(source_key)
        self.keys.add(signature)
        if len(self.requests) == MAX_BATCH_ITEMS:
            self.flush()

    def flush(self):
        requests, source_keys = self.requests, self.source_keys
        self.requests, self.source_keys, self.keys = [], [], set()
        if not requests:
            return
        try:
            self.write(requests)
            self.written += len(requests)
        except DynamoDBError as e:
            if not is_validation_error(e):
                raise
            self.write_one_by_one(requests, source_keys, e)

    def write_one_by_one(self, requests, source_keys, batch_error):
        refused = []
        for request, source_key in zip(requests, source_keys):
            try:
                self.write([request])
                self.written += 1
            except DynamoDBError as e:
                if not is_validation_error(e):
                    raise
                refused.append((source_key, e.exception.response["Error"].get("Message", "refused by DynamoDB")))
        if len(refused) == len(requests) and len(requests) > 1:
            raise batch_error
        for source_key, reason in refused:
            self.on_rejected(source_key, "refused by DynamoDB: %s" % reason)
