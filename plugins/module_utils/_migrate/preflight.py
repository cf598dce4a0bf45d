# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything a migration refuses before its first write, each as InputError.

In the order a run meets them: the module's options (build_plan, no AWS call, the transform spec included), the
two tables (present, the target writable), the transform against their key schemas, and the transform on the
first source items. A mistake found here costs nothing: no item is written and no checkpoint is saved.
"""

import collections
import functools
import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
# Also as a module: three of its functions are wrapped below under their own names.
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import transform as item_transform
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import DEFAULT_THREAD_BYTES
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import ItemRejected
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import TransformSpecError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import check_target_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import item_passes_filters
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import key_of
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import readable_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import transform_item

MAX_TOTAL_SEGMENTS = 1000
WRITABLE_TABLE_STATUSES = ("ACTIVE", "UPDATING")


def as_input_error(function):
    """function, raising InputError where it raises TransformSpecError (same message)."""
    @functools.wraps(function)
    def checked(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TransformSpecError as e:
            raise InputError(message=str(e)) from None
    return checked


# The readers of the transform spec as the module reports a mistake in its transform option: an InputError, like
# every other bad input. transform.py raises its own TransformSpecError because it may import nothing from Ansible.
compile_transform = as_input_error(item_transform.compile_transform)
parse_key_format = as_input_error(item_transform.parse_key_format)
to_attribute_value = as_input_error(item_transform.to_attribute_value)


# --- the options -------------------------------------------------------------------------------------------

MigrationPlan = collections.namedtuple("MigrationPlan", [
    "source_table", "target_table", "identity", "transform_spec", "transform", "total_segments", "threads",
    "consistent_read", "page_size", "checkpoint_path", "overwrite", "max_failed_items", "verify_count",
    "verify_sample_size", "write_retries", "max_delay", "max_read_units_per_second", "max_write_units_per_second",
    "max_bytes_per_thread"])


def build_plan(params, identity):
    """Validate the module's options (no AWS call) into a MigrationPlan. Raises InputError."""
    for name in ("total_segments", "threads"):
        if not 1 <= params[name] <= MAX_TOTAL_SEGMENTS:
            raise InputError(message="%s must be between 1 and %d, got %d" % (name, MAX_TOTAL_SEGMENTS, params[name]))
    for name in ("page_size", "verify_sample_size", "max_failed_items"):
        if params.get(name) is not None and params[name] < 0:
            raise InputError(message="%s must not be negative" % name)
    if not params.get("max_bytes_per_thread", DEFAULT_THREAD_BYTES) > 0:
        raise InputError(message="max_bytes_per_thread must be more than 0, got %s" % params["max_bytes_per_thread"])
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
        max_write_units_per_second=params.get("max_write_units_per_second"),
        max_bytes_per_thread=params.get("max_bytes_per_thread", DEFAULT_THREAD_BYTES))


# --- the tables and their key schemas ----------------------------------------------------------------------

def key_schema(table):
    """[(name, type)] of a DescribeTable Table dict, HASH first."""
    types = dict((definition["AttributeName"], definition["AttributeType"])
                 for definition in table.get("AttributeDefinitions", []))
    ordered = sorted(table["KeySchema"], key=lambda element: element["KeyType"] != "HASH")
    return [(element["AttributeName"], types.get(element["AttributeName"], "S")) for element in ordered]


def describe_key(schema):
    return ", ".join("%s (%s)" % (name, attribute_type) for name, attribute_type in schema)


def describe_tables(source_client, target_client, plan):
    """(source key names, target key [(name, type)]) once both tables are found fit. Raises InputError."""
    source = describe_table(source_client, plan.source_table)
    if source is None:
        raise InputError(message="Source table %s does not exist (%s); nothing was written" % (
            plan.source_table, plan.identity["source"]["region"]))
    target = describe_table(target_client, plan.target_table)
    if target is None:
        raise InputError(message="Target table %s does not exist (%s); create it first (deploy its stack), "
                                 "nothing was written" % (plan.target_table, plan.identity["target"]["region"]))
    if target.get("TableStatus") not in WRITABLE_TABLE_STATUSES:
        raise InputError(message="Target table %s is %s; wait until it is ACTIVE" % (
            plan.target_table, target.get("TableStatus")))
    return [name for name, dummy in key_schema(source)], check_transform_against_schemas(plan.transform, source, target)


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
