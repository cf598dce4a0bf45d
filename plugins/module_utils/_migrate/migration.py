# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy a DynamoDB table into another through a declarative transform: safe, fast and resumable.

Four parts, each usable on its own:

* transform: pure functions over low-level items (AttributeValue dicts, so no type is ever converted):
  filter -> rename -> derive (formats such as "SESSION#{sessionId}", read from the source item) -> drop ->
  defaults. An item that cannot be transformed, or lacks the target's key, raises ItemRejected with a reason.
* checkpoint: a small JSON file holding, per scan segment, the LastEvaluatedKey of the last page whose items
  were all written, and the counts so far. It is saved only at page boundaries, so a resumed run re-puts at
  most the pages that were in flight; puts are idempotent, so the overlap never duplicates an item.
* workers: one scan cursor per segment (Segment/TotalSegments), a pool of threads over the segments,
  BatchWriteItem in batches of 25 with UnprocessedItems re-sent under exponential backoff with full jitter.
  Each worker holds one scan page at a time: memory does not grow with the table.
* verification: the target's item count against the items written, and N random source items looked up in
  the target after the transform.

Nothing here reads module.params or calls fail_json: errors are raised as AnsibleAWSError subclasses.
"""

import base64
import collections
import datetime
import decimal
import hashlib
import json
import math
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.capacity import CapacityLimiter
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import batch_write_items
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import get_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import scan_page
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import unprocessed_requests

MAX_BATCH_ITEMS = 25  # BatchWriteItem's limit
FIRST_UNPROCESSED_DELAY_SECONDS = 0.05
MAX_FAILED_EXAMPLES = 5
MAX_TOTAL_SEGMENTS = 1000
PROBE_ITEMS = 25
CHECKPOINT_VERSION = 1
CHECKPOINT_INTERVAL_SECONDS = 1.0
SAMPLE_SEGMENT_ITEMS = 20  # sampling splits the source in segments of about this many items...
SAMPLE_TAKEN_PER_SEGMENT = 5  # ...and takes at most this many random keys from each segment it reads
WRITABLE_TABLE_STATUSES = ("ACTIVE", "UPDATING")

COMPLETE = "complete"
IN_PROGRESS = "in_progress"
CHECK_MODE = "check_mode"

COUNT_NAMES = ("items_scanned", "items_written", "items_filtered", "items_failed")


class ItemRejected(Exception):
    """One item cannot be migrated: the transform failed on it, or its result does not fit the target."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class MigrationFailed(DynamoDBError):
    """The migration ran (or verified) and found a problem; kwargs["migration"] holds the counts."""


class UnprocessedItemsLeft(DynamoDBError):
    """BatchWriteItem kept returning UnprocessedItems after every allowed attempt."""


# --- transform: pure functions ---------------------------------------------------------------------------

Transform = collections.namedtuple("Transform", "rename derive drop defaults filters")
FilterRule = collections.namedtuple("FilterRule", "attribute equals exists")
LITERAL = "literal"
ATTRIBUTE = "attribute"


def to_attribute_value(value, where="value"):
    """A plain (YAML) value as an AttributeValue dict: str S, int/float N, bool BOOL, None NULL, list L, dict M."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, decimal.Decimal)):
        return {"N": str(value)}
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InputError(message="%s: DynamoDB numbers cannot be NaN or infinite" % where)
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute_value(element, where) for element in value]}
    if isinstance(value, dict):
        return {"M": dict((str(name), to_attribute_value(element, where)) for name, element in value.items())}
    raise InputError(message="%s: cannot store a %s in DynamoDB" % (where, type(value).__name__))


def parse_key_format(text, where="format"):
    """'SESSION#{sessionId}' -> ((literal, 'SESSION#'), (attribute, 'sessionId')). '{{' and '}}' are braces."""
    if not isinstance(text, str):
        raise InputError(message="%s: a format must be a string, got %r" % (where, text))
    parts, literal, index = [], [], 0
    while index < len(text):
        char = text[index]
        if text.startswith("{{", index) or text.startswith("}}", index):
            literal.append(char)
            index += 2
        elif char == "{":
            end = text.find("}", index)
            name = text[index + 1:end] if end != -1 else ""
            if end == -1 or not name or "{" in name:
                raise InputError(message="%s: %r has an unclosed or empty {placeholder}; write {attributeName}, "
                                         "or {{ and }} for literal braces" % (where, text))
            if literal:
                parts.append((LITERAL, "".join(literal)))
                literal = []
            parts.append((ATTRIBUTE, name))
            index = end + 1
        elif char == "}":
            raise InputError(message="%s: %r has a } without a matching {; write }} for a literal brace" % (
                where, text))
        else:
            literal.append(char)
            index += 1
    if literal:
        parts.append((LITERAL, "".join(literal)))
    return tuple(parts)


def compile_transform(spec):
    """Validate the declarative transform (the module's transform option) once, before any AWS call."""
    spec = spec or {}
    rename = dict(spec.get("rename") or {})
    for old, new in rename.items():
        if not isinstance(new, str) or not new or not old:
            raise InputError(message="transform.rename: %r -> %r: both names must be non-empty strings" % (old, new))
    targets = list(rename.values())
    duplicates = sorted(set(name for name in targets if targets.count(name) > 1))
    if duplicates:
        raise InputError(message="transform.rename: several attributes renamed to %s" % ", ".join(duplicates))
    derive = dict((name, parse_key_format(text, "transform.derive.%s" % name))
                  for name, text in (spec.get("derive") or {}).items())
    drop = tuple(spec.get("drop") or ())
    contradictions = sorted(set(drop) & set(derive))
    if contradictions:
        raise InputError(message="transform: %s is both derived and dropped" % ", ".join(contradictions))
    clashes = sorted(set(targets) & set(derive))
    if clashes:
        raise InputError(message="transform: %s is both a rename target and derived" % ", ".join(clashes))
    defaults = dict((name, to_attribute_value(value, "transform.defaults.%s" % name))
                    for name, value in (spec.get("defaults") or {}).items())
    filters = []
    for rule in spec.get("filter") or ():
        if not rule.get("attribute"):
            raise InputError(message="transform.filter: every rule needs an attribute")
        if rule.get("exists") is None:
            filters.append(FilterRule(rule["attribute"], to_attribute_value(
                rule.get("equals"), "transform.filter.%s.equals" % rule["attribute"]), None))
        else:
            filters.append(FilterRule(rule["attribute"], None, bool(rule["exists"])))
    return Transform(rename, derive, drop, defaults, tuple(filters))


def canonical_value(value):
    """A hashable form of an AttributeValue in which equal values are equal: sets unordered, numbers exact."""
    (kind, raw), = value.items()
    if kind == "N":
        return (kind, decimal.Decimal(raw))
    if kind == "B":
        return (kind, bytes(raw))
    if kind == "SS":
        return (kind, frozenset(raw))
    if kind == "NS":
        return (kind, frozenset(decimal.Decimal(number) for number in raw))
    if kind == "BS":
        return (kind, frozenset(bytes(element) for element in raw))
    if kind == "L":
        return (kind, tuple(canonical_value(element) for element in raw))
    if kind == "M":
        return (kind, canonical_item(raw))
    return (kind, raw)


def canonical_item(item):
    return frozenset((name, canonical_value(value)) for name, value in item.items())


def item_passes_filters(item, filters):
    """True when every rule holds: the attribute exists (or not), or equals the value (type and value)."""
    for rule in filters:
        present = rule.attribute in item
        if rule.exists is not None:
            if present != rule.exists:
                return False
        elif not present or canonical_value(item[rule.attribute]) != canonical_value(rule.equals):
            return False
    return True


def format_value(parts, item, target_name):
    text = []
    for kind, value in parts:
        if kind == LITERAL:
            text.append(value)
            continue
        if value not in item:
            raise ItemRejected("derive %s: attribute %s is missing" % (target_name, value))
        (attribute_type, raw), = item[value].items()
        if attribute_type not in ("S", "N"):
            raise ItemRejected("derive %s: attribute %s is of type %s; only S and N can be formatted" % (
                target_name, value, attribute_type))
        text.append(raw)
    return "".join(text)


def transform_item(item, transform):
    """The target item for a source item, or None when a filter leaves it out. Raises ItemRejected.

    Order: filter (on the source item) -> rename -> derive (placeholders read the source item, so they
    use source names) -> drop -> defaults (set only where the attribute is absent).
    """
    if not item_passes_filters(item, transform.filters):
        return None
    result = dict(item)
    for old, new in transform.rename.items():
        if old in result:
            result[new] = result.pop(old)
    for name, parts in transform.derive.items():
        result[name] = {"S": format_value(parts, item, name)}
    for name in transform.drop:
        result.pop(name, None)
    for name, value in transform.defaults.items():
        if name not in result:
            result[name] = value
    return result


def check_target_item(item, target_key):
    """Raise ItemRejected when the transformed item cannot be put into the target table's key.

    Whatever else DynamoDB refuses in one item (over 400 KB, an empty set) is found by BatchWriter when the
    batch is refused: checking it here would cost more CPU than the rest of the client work per item.
    """
    for name, attribute_type in target_key:
        if name not in item:
            raise ItemRejected("no value for target key attribute %s" % name)
        (actual_type, raw), = item[name].items()
        if actual_type != attribute_type:
            raise ItemRejected("target key attribute %s is of type %s; the target table wants %s" % (
                name, actual_type, attribute_type))
        if attribute_type in ("S", "B") and len(raw) == 0:
            raise ItemRejected("target key attribute %s is empty" % name)


def key_of(item, key_names):
    return dict((name, item[name]) for name in key_names if name in item)


def key_signature(item, key_names):
    """A hashable key: two requests with the same signature may not share one BatchWriteItem call."""
    return tuple(canonical_value(item[name]) if name in item else None for name in key_names)


def readable_key(key):
    """{'sessionId': {'S': 'abc'}} -> {'sessionId': 'abc'}; binary values as base64. Keys only, never payloads."""
    readable = {}
    for name, value in key.items():
        (kind, raw), = value.items()
        readable[name] = base64.b64encode(raw).decode("ascii") if kind == "B" else raw
    return readable


# --- the table schemas: checks before any write ------------------------------------------------------------

def key_schema(table):
    """[(name, type)] of a DescribeTable Table dict, HASH first."""
    types = dict((definition["AttributeName"], definition["AttributeType"])
                 for definition in table.get("AttributeDefinitions", []))
    ordered = sorted(table["KeySchema"], key=lambda element: element["KeyType"] != "HASH")
    return [(element["AttributeName"], types.get(element["AttributeName"], "S")) for element in ordered]


def describe_key(schema):
    return ", ".join("%s (%s)" % (name, attribute_type) for name, attribute_type in schema)


def check_transform_against_schemas(transform, source_table, target_table):
    """Refuse, before any write, a transform that cannot produce the target's key. Raises InputError.

    What can be decided from the schemas alone is decided here; attributes that are not part of any key or
    index of the source (their type is only known per item) are checked by probe_transform on real items.
    """
    target_key = key_schema(target_table)
    source_types = dict((definition["AttributeName"], definition["AttributeType"])
                        for definition in source_table.get("AttributeDefinitions", []))
    renamed_from = dict((new, old) for old, new in transform.rename.items())
    target = "%s has the key %s" % (target_table["TableName"], describe_key(target_key))
    for name, wanted in target_key:
        if name in transform.derive:
            if wanted != "S":
                raise InputError(message="Target key schema mismatch: %s, but transform.derive makes %s a string "
                                         "(S)" % (target, name))
            continue
        if name in transform.drop:
            raise InputError(message="The transform produces no target key: %s, but transform.drop removes %s" % (
                target, name))
        origin = renamed_from.get(name, name)
        if name in transform.rename and name not in renamed_from:
            if name not in transform.defaults:
                raise InputError(message="The transform produces no target key: %s, but transform.rename moves %s "
                                         "to %s" % (target, name, transform.rename[name]))
            origin = None
        if origin is not None and origin in source_types and source_types[origin] != wanted:
            raise InputError(message="Target key schema mismatch: %s, but the source's %s is of type %s" % (
                target, origin, source_types[origin]))
        if name in transform.defaults:
            (default_type, dummy), = transform.defaults[name].items()
            if default_type != wanted:
                raise InputError(message="Target key schema mismatch: %s, but transform.defaults gives %s a %s" % (
                    target, name, default_type))
    return target_key


def probe_transform(items, transform, target_key, source_key_names):
    """Refuse a transform that fails on every one of the first source items it keeps. Raises InputError."""
    kept, reasons = 0, []
    for item in items:
        if not item_passes_filters(item, transform.filters):
            continue
        kept += 1
        try:
            check_target_item(transform_item(item, transform), target_key)
            return
        except ItemRejected as e:
            reasons.append("%s: %s" % (json.dumps(readable_key(key_of(item, source_key_names)), sort_keys=True),
                                       e.reason))
    if kept:
        raise InputError(message="The transform produces no valid target item (target key %s) for any of the first "
                                 "%d source items it keeps; nothing was written. First: %s" % (
                                     describe_key(target_key), kept, "; ".join(reasons[:3])))


# --- checkpoint --------------------------------------------------------------------------------------------

def encode_key(key):
    """A LastEvaluatedKey as JSON-safe data (binary values base64)."""
    if key is None:
        return None
    encoded = {}
    for name, value in key.items():
        (kind, raw), = value.items()
        encoded[name] = {kind: base64.b64encode(raw).decode("ascii") if kind == "B" else raw}
    return encoded


def decode_key(encoded):
    if encoded is None:
        return None
    key = {}
    for name, value in encoded.items():
        (kind, raw), = value.items()
        key[name] = {kind: base64.b64decode(raw) if kind == "B" else raw}
    return key


def without_empty(value):
    """The transform option without unset parts: `rename: {}` and an omitted rename are the same transform."""
    if isinstance(value, dict):
        return dict((name, without_empty(element)) for name, element in value.items()
                    if element is not None and element != {} and element != [])
    if isinstance(value, list):
        return [without_empty(element) for element in value]
    return value


def migration_fingerprint(identity, transform_spec, total_segments):
    """What a checkpoint belongs to: tables (and their regions), transform and segmentation."""
    document = json.dumps(dict(identity=identity, transform=without_empty(transform_spec or {}),
                               total_segments=total_segments), sort_keys=True, default=str)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def new_checkpoint(fingerprint, identity, total_segments):
    return dict(
        version=CHECKPOINT_VERSION, fingerprint=fingerprint, identity=identity, total_segments=total_segments,
        status=IN_PROGRESS, started_at=now_iso(), updated_at=now_iso(), completed_at=None,
        segments=[dict(segment=index, complete=False, last_evaluated_key=None,
                       **dict((name, 0) for name in COUNT_NAMES)) for index in range(total_segments)],
        failed_examples=[])


def load_checkpoint(path):
    """The checkpoint dict, or None when the file does not exist. Raises InputError when it is unusable."""
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            checkpoint = json.load(handle)
    except (OSError, ValueError) as e:
        raise InputError(message="Checkpoint %s cannot be read (%s); move it away to start over" % (path, e))
    if not isinstance(checkpoint, dict) or checkpoint.get("version") != CHECKPOINT_VERSION:
        raise InputError(message="Checkpoint %s is not a version %d migration checkpoint; move it away to start "
                                 "over" % (path, CHECKPOINT_VERSION))
    return checkpoint


def save_checkpoint(path, checkpoint):
    """Write atomically: a kill at any moment leaves either the previous or the new checkpoint, never half."""
    checkpoint["updated_at"] = now_iso()
    directory = os.path.dirname(os.path.abspath(path))
    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temporary, "w") as handle:
            json.dump(checkpoint, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as e:
        raise InputError(message="Cannot write checkpoint %s: %s" % (path, e))


def plan_start(checkpoint, fingerprint, overwrite, path=None):
    """fresh, resume or complete, from what the checkpoint says. Raises InputError for another migration's file."""
    if checkpoint is None or overwrite:
        return "fresh"
    if checkpoint.get("fingerprint") != fingerprint:
        raise InputError(message="Checkpoint %s belongs to a different migration (tables, transform or "
                                 "total_segments changed). Delete it, or set overwrite=true to copy everything "
                                 "again under the new settings" % path)
    return COMPLETE if checkpoint.get("status") == COMPLETE else "resume"


def totals(segments):
    return dict((name, sum(segment[name] for segment in segments)) for name in COUNT_NAMES)


# --- writes ------------------------------------------------------------------------------------------------

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


# --- the run -----------------------------------------------------------------------------------------------

MigrationPlan = collections.namedtuple("MigrationPlan", [
    "source_table", "target_table", "identity", "transform_spec", "transform", "total_segments", "threads",
    "consistent_read", "page_size", "checkpoint_path", "overwrite", "max_failed_items", "verify_count",
    "verify_sample_size", "write_retries", "max_delay", "max_read_units_per_second", "max_write_units_per_second"])


def build_plan(params, identity):
    """Validate the module's options (no AWS call) into a MigrationPlan. Raises InputError."""
    for name in ("total_segments", "threads"):
        if not 1 <= params[name] <= MAX_TOTAL_SEGMENTS:
            raise InputError(message="%s must be between 1 and %d, got %d" % (name, MAX_TOTAL_SEGMENTS, params[name]))
    for name in ("page_size", "verify_sample_size", "max_failed_items"):
        if params.get(name) is not None and params[name] < 0:
            raise InputError(message="%s must not be negative" % name)
    for name in ("max_read_units_per_second", "max_write_units_per_second"):
        if params.get(name) is not None and not params[name] > 0:
            raise InputError(message="%s must be more than 0 (leave it unset for no limit), got %s" % (
                name, params[name]))
    if identity["source"] == identity["target"]:
        raise InputError(message="Source and target are the same table (%s); migrate into a new table" % (
            params["source_table"]))
    return MigrationPlan(
        source_table=params["source_table"], target_table=params["target_table"], identity=identity,
        transform_spec=params.get("transform") or {}, transform=compile_transform(params.get("transform")),
        total_segments=params["total_segments"], threads=min(params["threads"], params["total_segments"]),
        consistent_read=params["consistent_read"], page_size=params.get("page_size") or None,
        checkpoint_path=params.get("checkpoint_path"), overwrite=params["overwrite"],
        max_failed_items=params["max_failed_items"], verify_count=params["verify_count"],
        verify_sample_size=params["verify_sample_size"], write_retries=params["backoff_retries"],
        max_delay=params["backoff_max_delay"], max_read_units_per_second=params.get("max_read_units_per_second"),
        max_write_units_per_second=params.get("max_write_units_per_second"))


class TableMigration:
    """One run of a migration: preflight, parallel copy with checkpoints, verification, result.

    source, target: DynamoDB clients (RetryingBotoClientWrapper or plain). should_stop: optional callable
    asked before each page; when it returns True the workers stop as if killed (tests use it).
    """

    def __init__(self, source, target, plan, check_mode=False, sleep=time.sleep, rng=None, clock=time.monotonic,
                 should_stop=None):
        self.source = source
        self.target = target
        self.plan = plan
        self.check_mode = check_mode
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.clock = clock
        self.should_stop = should_stop or (lambda: False)
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.checkpoint = None
        self.source_key_names = []
        self.target_key = []
        self.run_counts = dict((name, 0) for name in COUNT_NAMES)
        self.last_save = 0.0
        self.resumed = False
        self.start = None
        # The source serves the application while it is read; the target may be provisioned: their limits.
        self.source_reads = CapacityLimiter(plan.max_read_units_per_second, clock=clock, sleep=sleep)
        self.target_writes = CapacityLimiter(plan.max_write_units_per_second, clock=clock, sleep=sleep)
        self.target_reads = CapacityLimiter(clock=clock, sleep=sleep)  # verification: counted, not limited

    # --- preflight ---------------------------------------------------------------------------------------
    def describe_tables(self):
        source = describe_table(self.source, self.plan.source_table)
        if source is None:
            raise InputError(message="Source table %s does not exist (%s); nothing was written" % (
                self.plan.source_table, self.plan.identity["source"]["region"]))
        target = describe_table(self.target, self.plan.target_table)
        if target is None:
            raise InputError(message="Target table %s does not exist (%s); create it first (deploy its stack), "
                                     "nothing was written" % (self.plan.target_table,
                                                              self.plan.identity["target"]["region"]))
        if target.get("TableStatus") not in WRITABLE_TABLE_STATUSES:
            raise InputError(message="Target table %s is %s; wait until it is ACTIVE" % (
                self.plan.target_table, target.get("TableStatus")))
        self.source_key_names = [name for name, dummy in key_schema(source)]
        self.target_key = check_transform_against_schemas(self.plan.transform, source, target)

    def read_source_page(self, **scan_options):
        """One scan page of the source, within its read limit."""
        return self.source_reads.call(scan_page, self.source, self.plan.source_table, **scan_options)

    def probe(self):
        page = self.read_source_page(limit=PROBE_ITEMS, consistent_read=self.plan.consistent_read)
        probe_transform(page.get("Items", []), self.plan.transform, self.target_key, self.source_key_names)

    def load_or_start_checkpoint(self):
        fingerprint = migration_fingerprint(self.plan.identity, self.plan.transform_spec, self.plan.total_segments)
        existing = load_checkpoint(self.plan.checkpoint_path)
        start = self.start = plan_start(existing, fingerprint, self.plan.overwrite, self.plan.checkpoint_path)
        if start == "fresh":
            self.checkpoint = new_checkpoint(fingerprint, self.plan.identity, self.plan.total_segments)
        else:
            self.checkpoint = existing
            self.resumed = start == "resume"
        return start

    # --- progress ----------------------------------------------------------------------------------------
    def save(self, force=False):
        if self.check_mode or not self.plan.checkpoint_path:
            return
        now = self.clock()
        if force or now - self.last_save >= CHECKPOINT_INTERVAL_SECONDS:
            save_checkpoint(self.plan.checkpoint_path, self.checkpoint)
            self.last_save = now

    def page_done(self, segment, last_evaluated_key, counts, examples):
        """Record a page whose kept items are all written (a checkpoint never runs ahead of the writes)."""
        with self.lock:
            state = self.checkpoint["segments"][segment]
            state["last_evaluated_key"] = encode_key(last_evaluated_key)
            state["complete"] = last_evaluated_key is None
            for name in COUNT_NAMES:
                state[name] += counts[name]
                self.run_counts[name] += counts[name]
            room = MAX_FAILED_EXAMPLES - len(self.checkpoint["failed_examples"])
            self.checkpoint["failed_examples"].extend(examples[:max(room, 0)])
            self.save(force=state["complete"])

    # --- workers -----------------------------------------------------------------------------------------
    def write(self, requests):
        if not self.check_mode:
            write_batch(self.target, self.plan.target_table, requests, self.plan.write_retries,
                        self.plan.max_delay, sleep=self.sleep, rng=self.rng, capacity=self.target_writes)

    def migrate_page(self, items):
        """Transform and write one scan page; the counts and the rejected items' keys (no payload)."""
        counts = dict((name, 0) for name in COUNT_NAMES)
        counts["items_scanned"] = len(items)
        examples = []

        def reject(source_key, reason):
            counts["items_failed"] += 1
            if len(examples) < MAX_FAILED_EXAMPLES:
                examples.append(dict(key=readable_key(source_key), reason=reason))

        writer = BatchWriter(self.write, [name for name, dummy in self.target_key], reject)
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
            writer.put(transformed, key_of(item, self.source_key_names))
        writer.flush()
        counts["items_written"] = writer.written
        return counts, examples

    def migrate_segment(self, segment):
        start_key = decode_key(self.checkpoint["segments"][segment]["last_evaluated_key"])
        more = not self.checkpoint["segments"][segment]["complete"]
        while more and not self.stop_event.is_set():
            if self.should_stop():
                self.stop_event.set()
                return
            page = self.read_source_page(segment=segment, total_segments=self.plan.total_segments,
                                         exclusive_start_key=start_key, consistent_read=self.plan.consistent_read,
                                         limit=self.plan.page_size)
            counts, examples = self.migrate_page(page.get("Items", []))
            del page["Items"]  # one page in memory per worker
            start_key = page.get("LastEvaluatedKey")
            self.page_done(segment, start_key, counts, examples)
            more = start_key is not None

    def run_segments(self):
        pending = [state["segment"] for state in self.checkpoint["segments"] if not state["complete"]]
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
            with self.lock:
                self.save(force=True)
        if errors:
            raise errors[0]

    # --- verification ------------------------------------------------------------------------------------
    def count_segment(self, segment, total_segments):
        count, start_key, more = 0, None, True
        while more:
            page = self.target_reads.call(scan_page, self.target, self.plan.target_table, segment=segment,
                                          total_segments=total_segments, exclusive_start_key=start_key, select="COUNT")
            count += page.get("Count", 0)
            start_key = page.get("LastEvaluatedKey")
            more = start_key is not None
        return count

    def count_target(self):
        segments = self.plan.total_segments
        with ThreadPoolExecutor(max_workers=self.plan.threads) as pool:
            return sum(pool.map(lambda segment: self.count_segment(segment, segments), range(segments)))

    def sample_source_keys(self, size, estimated_items):
        """About `size` random source keys, keys only: the source split in segments of ~20 items, a few random
        items from each of a few random segments (a segment scan costs a fraction of the table on AWS)."""
        total_segments = max(1, min(1000000, estimated_items // SAMPLE_SEGMENT_ITEMS))
        wanted = min(total_segments, int(math.ceil(float(size) / SAMPLE_TAKEN_PER_SEGMENT)))
        per_segment = int(math.ceil(float(size) / wanted))
        keys = []
        for segment in self.rng.sample(range(total_segments), min(total_segments, wanted * 3)):
            page = self.read_source_page(segment=segment, total_segments=total_segments,
                                         limit=max(per_segment, SAMPLE_SEGMENT_ITEMS) * 2,
                                         projection=self.source_key_names)
            items = page.get("Items", [])
            keys.extend(self.rng.sample(items, min(per_segment, len(items), size - len(keys))))
            if len(keys) >= size:
                break
        return keys

    def verify_sample(self, size, estimated_items):
        """Look up random source items in the target, after the transform; mismatches by key only."""
        result = dict(sample_size=size, sample_checked=0, sample_matched=0, sample_skipped=0, sample_mismatches=[])
        target_key_names = [name for name, dummy in self.target_key]
        for key in self.sample_source_keys(size, estimated_items):
            source_item = self.source_reads.call(get_item, self.source, self.plan.source_table, key,
                                                 self.plan.consistent_read).get("Item")
            try:
                expected = transform_item(source_item, self.plan.transform) if source_item else None
                if expected is not None:
                    check_target_item(expected, self.target_key)
            except ItemRejected:
                expected = None
            if expected is None:  # deleted since, filtered out, or counted as failed
                result["sample_skipped"] += 1
                continue
            result["sample_checked"] += 1
            actual = self.target_reads.call(get_item, self.target, self.plan.target_table,
                                            key_of(expected, target_key_names), True).get("Item")
            if actual is not None and canonical_item(actual) == canonical_item(expected):
                result["sample_matched"] += 1
            else:
                result["sample_mismatches"].append(dict(
                    key=readable_key(key), problem="missing in target" if actual is None else "differs"))
        return result

    def verify(self, written):
        verification = {}
        if self.plan.verify_count:
            count = self.count_target()
            verification.update(target_item_count=count, expected_item_count=written, count_matches=count == written)
        if self.plan.verify_sample_size:
            verification.update(self.verify_sample(self.plan.verify_sample_size,
                                                   totals(self.checkpoint["segments"])["items_scanned"]))
        return verification

    # --- result ------------------------------------------------------------------------------------------
    def migration_result(self, status, seconds, verification):
        segments = self.checkpoint["segments"]
        run = dict(self.run_counts, seconds=round(seconds, 3),
                   items_per_second=round(self.run_counts["items_scanned"] / seconds, 1) if seconds > 0 else 0.0,
                   source_read_units=round(self.source_reads.total, 1),
                   target_write_units=round(self.target_writes.total, 1),
                   target_read_units=round(self.target_reads.total, 1),
                   capacity_wait_seconds=round(self.source_reads.waited + self.target_writes.waited, 1))
        return dict(
            source_table=self.plan.source_table, target_table=self.plan.target_table, status=status,
            resumed=self.resumed, total_segments=self.plan.total_segments, threads=self.plan.threads,
            checkpoint_path=self.plan.checkpoint_path, run=run,
            segments=[dict((name, state[name]) for name in ("segment", "complete") + COUNT_NAMES)
                      for state in segments],
            failed_examples=list(self.checkpoint["failed_examples"]), verification=verification,
            **totals(segments))

    def problems(self, migration):
        found = []
        if migration["items_failed"] > self.plan.max_failed_items:
            example = migration["failed_examples"][0] if migration["failed_examples"] else {}
            found.append("%d items failed the transform or the target key schema and were not written (more than "
                         "max_failed_items=%d); first: %s %s" % (
                             migration["items_failed"], self.plan.max_failed_items,
                             json.dumps(example.get("key"), sort_keys=True), example.get("reason")))
        verification = migration["verification"]
        if verification.get("count_matches") is False:
            found.append("target %s holds %d items but %d were written (items already in the target, two source "
                         "items mapped to one target key, or items deleted from it)" % (
                             self.plan.target_table, verification["target_item_count"],
                             verification["expected_item_count"]))
        if verification.get("sample_mismatches"):
            found.append("%d of %d sampled items differ in the target, e.g. %s" % (
                len(verification["sample_mismatches"]), verification["sample_checked"],
                json.dumps(verification["sample_mismatches"][0], sort_keys=True)))
        return found

    def run(self):
        """Return dict(changed, msg, migration). Raises InputError before any write, MigrationFailed after."""
        started = self.clock()
        start = self.load_or_start_checkpoint()
        self.describe_tables()
        if start == COMPLETE:
            return self.finish(COMPLETE, started, changed=False)
        self.probe()
        if self.plan.checkpoint_path and not self.check_mode:
            save_checkpoint(self.plan.checkpoint_path, self.checkpoint)  # proves the path writable before writes
            self.last_save = self.clock()
        self.run_segments()
        if self.stop_event.is_set():
            return self.finish(IN_PROGRESS, started, changed=self.run_counts["items_written"] > 0)
        if self.check_mode:
            return self.finish(CHECK_MODE, started, changed=self.run_counts["items_written"] > 0)
        self.checkpoint["status"] = COMPLETE
        self.checkpoint["completed_at"] = now_iso()
        self.save(force=True)
        return self.finish(COMPLETE, started, changed=self.run_counts["items_written"] > 0)

    def finish(self, status, started, changed):
        verify = status == COMPLETE
        seconds = self.clock() - started
        migration = self.migration_result(status, seconds, self.verify(
            totals(self.checkpoint["segments"])["items_written"]) if verify else {})
        problems = self.problems(migration)
        if problems:
            raise MigrationFailed(message="Migration %s -> %s: %s" % (
                self.plan.source_table, self.plan.target_table, "; ".join(problems)), migration=migration,
                changed=changed)
        return dict(changed=changed, msg=summary(migration, already_complete=self.start == COMPLETE),
                    migration=migration)


def summary(migration, already_complete=False):
    counts = "%(items_scanned)d scanned, %(items_written)d written, %(items_filtered)d filtered out, " \
             "%(items_failed)d failed" % migration
    if migration["status"] == CHECK_MODE:
        return "Check mode: would migrate %s -> %s: %s (would write)" % (
            migration["source_table"], migration["target_table"], counts)
    if migration["status"] == IN_PROGRESS:
        return "Migration %s -> %s stopped before the end: %s so far; re-run to continue" % (
            migration["source_table"], migration["target_table"], counts)
    if already_complete:
        return "Migration %s -> %s already complete (%s); nothing to do" % (
            migration["source_table"], migration["target_table"], counts)
    return "Migrated %s -> %s: %s%s" % (migration["source_table"], migration["target_table"], counts,
                                        " (resumed)" if migration["resumed"] else "")
