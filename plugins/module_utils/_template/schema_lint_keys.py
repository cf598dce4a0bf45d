# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's checks of key schemas and the attribute definitions they imply: each key a {name, type} of a
DynamoDB key type, the range key another attribute than the hash key, and one type per attribute across the table's
keys and its indexes' keys.

One place for the table's keys and the indexes' keys (schema_lint_indexes.py calls check_key), because CloudFormation
turns them all into one AttributeDefinitions list, where an attribute has a single type.
"""

from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import quote
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_unknown_keys

# The allowed keys of a key mapping, in the order "did you mean" and "allowed keys" name them in.
KEY_FIELDS = ("name", "type")
KEY_TYPES = ("S", "N", "B")
MAX_ATTRIBUTE_NAME_LENGTH = 255  # key attribute names

# Spellings people reach for instead of S/N/B (CloudFormation's AttributeType is exactly S, N or B).
_KEY_TYPE_HINTS = {
    "s": "S", "string": "S", "str": "S",
    "n": "N", "number": "N", "num": "N", "int": "N", "integer": "N", "float": "N", "decimal": "N",
    "b": "B", "binary": "B", "bytes": "B",
}


def check_table_keys(table):
    """The table's hash and range keys; returns the hash key's attribute name (None when unusable), which the local
    secondary indexes share."""
    entry = table.entry
    hash_key = check_key(table, entry.get("hash_key"), "hash_key", required=True)
    range_key = check_key(table, entry.get("range_key"), "range_key", required=False)
    table.has_range_key = entry.get("range_key") is not None
    check_key_pair(table, hash_key, range_key, "range_key")
    return hash_key


def check_key(table, value, field, required):
    """A key {name, type}; returns the attribute name when usable, so the caller can compare keys."""
    if value is None:
        if required:
            short = field.rsplit(".", 1)[-1]
            table.error(field, "the required %s is missing; add %s: {name: <attribute>, type: S}, "
                               "e.g. {name: sessionId, type: S}." % (short, short))
        return None
    if not isinstance(value, Mapping):
        example = value if isinstance(value, str) and value else "sessionId"
        table.error(field, "a key must be a mapping with name and type, got %s; write {name: %s, type: S}."
                    % (describe(value), example))
        return None
    check_unknown_keys(table, value, field + ".", KEY_FIELDS)
    name = value.get("name")
    key_type = value.get("type")
    usable_type = "S" if key_type is None else key_type
    if key_type is not None and key_type not in KEY_TYPES:
        usable_type = None
        hint = _KEY_TYPE_HINTS.get(key_type.lower()) if isinstance(key_type, str) else None
        table.error(field + ".type", "%s is not a DynamoDB key type; key attributes must be S (string), N (number) "
                                     "or B (binary)%s."
                    % (quote(key_type), ' (did you mean "%s"?)' % hint if hint else ""))
    if name is None:
        table.error(field + ".name", "the key's attribute name is missing; add name: <attribute>, e.g. sessionId.")
        return None
    if not isinstance(name, str) or not name or len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
        table.error(field + ".name", "a key attribute name must be a string of 1-%d characters, got %s."
                    % (MAX_ATTRIBUTE_NAME_LENGTH, describe(name)))
        return None
    table.attributes.append((name, field + ".name", "key", usable_type))
    return name


def check_key_pair(table, hash_name, range_name, range_field):
    if hash_name is not None and hash_name == range_name:
        table.error(range_field + ".name", 'the range key "%s" is the same attribute as the hash key; DynamoDB '
                                           "needs two different attributes, so pick another range key or drop it."
                    % range_name)


def check_key_types(table):
    """One type per key attribute, over every key of the table and its indexes; runs after all keys are known."""
    key_types = {}  # attribute -> (type, field) of its first typed key use
    for name, field, role, key_type in table.attributes:
        if role != "key" or key_type is None:
            continue
        if name in key_types and key_types[name][0] != key_type:
            first_type, first_field = key_types[name]
            table.error(field.rsplit(".", 1)[0] + ".type",
                        'the attribute "%s" is declared as %s here but as %s in %s; CloudFormation needs one '
                        "AttributeDefinition per attribute, so give it the same type everywhere."
                        % (name, key_type, first_type, first_field.rsplit(".", 1)[0]))
        else:
            key_types.setdefault(name, (key_type, field))
