# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The size of a low-level item by DynamoDB's own rules, and the scan page size that keeps a copy's memory in a
byte budget.

DynamoDB counts an item as the UTF-8 length of its attribute names plus the size of their values ("DynamoDB item
sizes and formats"): strings their UTF-8 bytes, numbers 1 byte per two significant digits plus 1, binary its raw
bytes, BOOL and NULL 1, sets the sum of their elements, a List or Map 3 bytes plus, per element, 1 byte and the
element (a Map's element also its name). The copy uses it to decide how many items a scan page may hold, so that
a thread holds no more bytes of large items than its budget: counting items (page_size) is blind to a 350 KB
nested item, whose Python objects weigh some 20 times its bytes.

Only the standard library is imported, like transform.py: the same rules apply wherever the transform runs.
"""

DEFAULT_THREAD_BYTES = 512 * 1024  # the module's max_bytes_per_thread: one item of up to 400 KB at a time
BATCH_ITEMS = 25  # BatchWriteItem's limit: a page of at least this many items fills whole batches


def number_size(text):
    """1 byte per two significant digits (leading and trailing zeros trimmed), plus 1."""
    mantissa = text.lstrip("+-").lower().partition("e")[0]
    digits = mantissa.replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def value_size(value):
    """The size of one AttributeValue dict, its name not included."""
    (kind, raw), = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        return number_size(raw)
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(element.encode("utf-8")) for element in raw)
    if kind == "NS":
        return sum(number_size(element) for element in raw)
    if kind == "BS":
        return sum(len(element) for element in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in raw)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_size(element) for name, element in raw.items())
    return 0


def item_size(item):
    """Bytes of a low-level item as DynamoDB counts them (the 400 KB limit, capacity units, the 1 MB page)."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def page_limit(budget_bytes, largest_item_bytes, page_size=None):
    """The scan Limit that keeps a page's items within budget_bytes when they are about largest_item_bytes each.

    None (DynamoDB's own page, at most 1 MB) for small items: those the budget holds at least BATCH_ITEMS of,
    so a page still fills whole write batches and small items keep one page per call; also when nothing is known
    yet. Large items get a Limit, never less than 1 (an item larger than the budget is read alone): their Python
    objects, not their count, are what fills memory. page_size (the user's Limit in items) applies when smaller.
    """
    limit = None
    if largest_item_bytes and budget_bytes // largest_item_bytes < BATCH_ITEMS:
        limit = max(1, budget_bytes // largest_item_bytes)
    if page_size and (limit is None or page_size < limit):
        return page_size
    return limit
