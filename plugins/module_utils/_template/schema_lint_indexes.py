# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's checks of a table's secondary indexes: how many, their names, their keys, capacities and
projections, and the quotas DynamoDB counts over all of them.

Global and local indexes in one file because DynamoDB counts them together (index names unique across both,
projected attributes summed over both) and they differ only in what they take from the table: a local index shares
the table's hash key and capacity, a global one has its own.
"""

from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_billing import check_capacities
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import quote
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_identity import TABLE_NAME_PATTERN
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_keys import check_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_keys import check_key_pair
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_choice
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_unknown_keys

# The allowed keys of each kind of index, in the order "did you mean" and "allowed keys" name them in.
GSI_FIELDS = ("name", "hash_key", "range_key", "projection", "non_key_attributes", "read_capacity", "write_capacity")
LSI_FIELDS = ("name", "range_key", "projection", "non_key_attributes")
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
DEFAULT_PROJECTION = "ALL"

# DynamoDB service quotas that CloudFormation would only report after the stack has started to change.
MAX_GLOBAL_SECONDARY_INDEXES = 20
MAX_LOCAL_SECONDARY_INDEXES = 5
MAX_PROJECTED_ATTRIBUTES = 100  # NonKeyAttributes summed over all secondary indexes of a table


def check_indexes(table, table_hash_key):
    projected = [0]  # NonKeyAttributes counted over every index of the table, against MAX_PROJECTED_ATTRIBUTES
    for field, limit, check in (
            ("global_secondary_indexes", MAX_GLOBAL_SECONDARY_INDEXES, _check_gsi),
            ("local_secondary_indexes", MAX_LOCAL_SECONDARY_INDEXES, _check_lsi)):
        indexes = table.entry.get(field)
        if indexes is None:
            continue
        if not isinstance(indexes, (list, tuple)):
            table.error(field, "%s must be a list of index mappings, got %s." % (field, describe(indexes)))
            continue
        if len(indexes) > limit:
            table.error(field, "%d indexes declared; DynamoDB allows at most %d %s per table, so remove %d."
                        % (len(indexes), limit, field.replace("_", " "), len(indexes) - limit))
        if field == "local_secondary_indexes" and indexes and not table.has_range_key:
            table.error(field, "local secondary indexes need the table to have a range_key (an LSI shares the "
                               "table's hash key and only adds another sort key); add range_key to the table or "
                               "make these global secondary indexes.")
        for position, index in enumerate(indexes):
            prefix = "%s[%d]" % (field, position)
            if not isinstance(index, Mapping):
                table.error(prefix, "each index must be a mapping with name and keys, got %s." % describe(index))
                continue
            check(table, index, prefix, table_hash_key)
            _check_projection(table, index, prefix, projected)


def _check_index_name(table, index, prefix):
    name = index.get("name")
    field = prefix + ".name"
    if name is None:
        table.error(field, "the index name is missing; add name, e.g. <attribute>-index as in the guide.")
    elif not isinstance(name, str) or not TABLE_NAME_PATTERN.fullmatch(name):
        table.error(field, "%s is not a valid index name; use 3-255 characters, only letters, digits, underscore, "
                           "dot and hyphen, e.g. sessionId-index." % quote(name))
    elif name in table.index_names:
        table.error(field, 'the index name "%s" is already used by %s; index names must be unique within a table '
                           "(across global and local indexes)." % (name, table.index_names[name]))
    else:
        table.index_names[name] = prefix


def _check_gsi(table, index, prefix, table_hash_key):  # table_hash_key unused: check_indexes calls it like _check_lsi
    check_unknown_keys(table, index, prefix + ".", GSI_FIELDS)
    _check_index_name(table, index, prefix)
    hash_name = check_key(table, index.get("hash_key"), prefix + ".hash_key", required=True)
    range_name = check_key(table, index.get("range_key"), prefix + ".range_key", required=False)
    check_key_pair(table, hash_name, range_name, prefix + ".range_key")
    if table.billing_mode is not None:
        check_capacities(table, index, prefix + ".")


def _check_lsi(table, index, prefix, table_hash_key):
    check_unknown_keys(table, index, prefix + ".", LSI_FIELDS, hints={
        "hash_key": "a local secondary index always uses the table's hash key; remove hash_key (or make it a "
                    "global secondary index).",
        "read_capacity": "a local secondary index shares the table's capacity; remove read_capacity.",
        "write_capacity": "a local secondary index shares the table's capacity; remove write_capacity.",
    })
    _check_index_name(table, index, prefix)
    range_name = check_key(table, index.get("range_key"), prefix + ".range_key", required=True)
    check_key_pair(table, table_hash_key, range_name, prefix + ".range_key")


def _check_projection(table, index, prefix, projected):
    projection = index.get("projection")
    if not check_choice(table, projection, prefix + ".projection", PROJECTIONS):
        return
    projection = projection or DEFAULT_PROJECTION
    field = prefix + ".non_key_attributes"
    attributes = index.get("non_key_attributes")
    if projection != "INCLUDE":
        if attributes not in (None, [], ()):
            table.error(field, "non_key_attributes is only allowed with projection INCLUDE (this index projects "
                               "%s); remove it, or set projection: INCLUDE." % projection)
        return
    if not isinstance(attributes, (list, tuple)) or not attributes:
        table.error(field, "projection INCLUDE needs non_key_attributes, a non-empty list of the attribute names "
                           "to copy into the index; add them, or use projection ALL or KEYS_ONLY.")
        return
    seen = set()
    for position, attribute in enumerate(attributes):
        item = "%s[%d]" % (field, position)
        if not isinstance(attribute, str) or not attribute:
            table.error(item, "a projected attribute must be a non-empty attribute name, got %s."
                        % describe(attribute))
        elif attribute in seen:
            table.error(item, 'the attribute "%s" is listed twice; list each projected attribute once.'
                        % attribute)
        else:
            seen.add(attribute)
            table.attributes.append((attribute, item, "projection", None))
    before = projected[0]
    projected[0] += len(attributes)
    if before <= MAX_PROJECTED_ATTRIBUTES < projected[0]:
        table.error(field, "the table's indexes now project %d non-key attributes in total; DynamoDB allows at "
                           "most %d across all secondary indexes of a table, so project fewer or use "
                           "projection ALL." % (projected[0], MAX_PROJECTED_ATTRIBUTES))
