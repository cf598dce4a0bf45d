# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The item transform of a migration: what one source item becomes in the target, and how items compare.

Pure functions over low-level items (AttributeValue dicts, so no type is ever converted): filter -> rename ->
derive (formats such as "SESSION#{sessionId}", read from the source item) -> drop -> defaults. compile_transform
checks the declarative spec (the module's transform option) once and raises TransformSpecError for a mistake in it;
an item that cannot be transformed, or lacks the target's key, raises ItemRejected with a reason.

Only the standard library is imported, no boto3 and nothing from Ansible or this collection, so that a job outside
Ansible (a PySpark copy of the same table) can load this file alone and apply the same spec the same way.
"""

import base64
import collections
import decimal
import math


class TransformSpecError(ValueError):
    """The transform spec is unusable; str(e) says why. The module reports it as InputError (see preflight)."""


class ItemRejected(Exception):
    """One item cannot be migrated: the transform failed on it, or its result does not fit the target."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


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
            raise TransformSpecError("%s: DynamoDB numbers cannot be NaN or infinite" % where)
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute_value(element, where) for element in value]}
    if isinstance(value, dict):
        return {"M": dict((str(name), to_attribute_value(element, where)) for name, element in value.items())}
    raise TransformSpecError("%s: cannot store a %s in DynamoDB" % (where, type(value).__name__))


def parse_key_format(text, where="format"):
    """'SESSION#{sessionId}' -> ((literal, 'SESSION#'), (attribute, 'sessionId')). '{{' and '}}' are braces."""
    if not isinstance(text, str):
        raise TransformSpecError("%s: a format must be a string, got %r" % (where, text))
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
                raise TransformSpecError("%s: %r has an unclosed or empty {placeholder}; write {attributeName}, "
                                         "or {{ and }} for literal braces" % (where, text))
            if literal:
                parts.append((LITERAL, "".join(literal)))
                literal = []
            parts.append((ATTRIBUTE, name))
            index = end + 1
        elif char == "}":
            raise TransformSpecError("%s: %r has a } without a matching {; write }} for a literal brace" % (
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
            raise TransformSpecError("transform.rename: %r -> %r: both names must be non-empty strings" % (old, new))
    targets = list(rename.values())
    duplicates = sorted(set(name for name in targets if targets.count(name) > 1))
    if duplicates:
        raise TransformSpecError("transform.rename: several attributes renamed to %s" % ", ".join(duplicates))
    derive = dict((name, parse_key_format(text, "transform.derive.%s" % name))
                  for name, text in (spec.get("derive") or {}).items())
    drop = tuple(spec.get("drop") or ())
    contradictions = sorted(set(drop) & set(derive))
    if contradictions:
        raise TransformSpecError("transform: %s is both derived and dropped" % ", ".join(contradictions))
    clashes = sorted(set(targets) & set(derive))
    if clashes:
        raise TransformSpecError("transform: %s is both a rename target and derived" % ", ".join(clashes))
    defaults = dict((name, to_attribute_value(value, "transform.defaults.%s" % name))
                    for name, value in (spec.get("defaults") or {}).items())
    filters = []
    for rule in spec.get("filter") or ():
        if not rule.get("attribute"):
            raise TransformSpecError("transform.filter: every rule needs an attribute")
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


def readable_key(key):
    """{'sessionId': {'S': 'abc'}} -> {'sessionId': 'abc'}; binary values as base64. Keys only, never payloads."""
    readable = {}
    for name, value in key.items():
        (kind, raw), = value.items()
        readable[name] = base64.b64encode(raw).decode("ascii") if kind == "B" else raw
    return readable
