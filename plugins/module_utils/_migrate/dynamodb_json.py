# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DynamoDB JSON lines, as an export writes them and an import reads them: one {"Item": {...}} per line.

The JSON form is the wire form (N as a string, so 38 digits and exponents pass through untouched), except that
B and BS hold base64 text. The transform (transform.py) works on items as boto3 gives them, binary as bytes, so
that its comparisons and readable keys are the same as the copy's: items are decoded into that form and encoded
back, binary only; nothing else is converted.
"""

import base64
import json


def decode_value(value):
    """A JSON-form AttributeValue with its binaries (at any depth) as bytes."""
    (kind, raw), = value.items()
    if kind == "B":
        return {kind: base64.b64decode(raw)}
    if kind == "BS":
        return {kind: [base64.b64decode(element) for element in raw]}
    if kind == "L":
        return {kind: [decode_value(element) for element in raw]}
    if kind == "M":
        return {kind: decode_item(raw)}
    return value


def decode_item(item):
    return dict((name, decode_value(value)) for name, value in item.items())


def encode_value(value):
    """The inverse of decode_value: binaries as base64 text."""
    (kind, raw), = value.items()
    if kind == "B":
        return {kind: base64.b64encode(raw).decode("ascii")}
    if kind == "BS":
        return {kind: [base64.b64encode(element).decode("ascii") for element in raw]}
    if kind == "L":
        return {kind: [encode_value(element) for element in raw]}
    if kind == "M":
        return {kind: encode_item(raw)}
    return value


def encode_item(item):
    return dict((name, encode_value(value)) for name, value in item.items())


def parse_line(line):
    """The item of one export line (bytes or text), decoded; None for a blank line. Raises ValueError."""
    line = line.strip()
    if not line:
        return None
    record = json.loads(line)
    if not isinstance(record, dict) or not isinstance(record.get("Item"), dict):
        raise ValueError("not a DynamoDB JSON line ({\"Item\": {...}})")
    return decode_item(record["Item"])


def item_line(item):
    """One import line (bytes, newline ended) for a decoded item."""
    return (json.dumps({"Item": encode_item(item)}, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")
