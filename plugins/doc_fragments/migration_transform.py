# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The transform option of the migration modules (plugins/module_utils/_migrate/transform_options.py
    # TRANSFORM_ARGUMENT_SPEC, read by transform.py): one place for its documentation too.
    DOCUMENTATION = r"""
options:
  transform:
    description:
      - How a source item becomes a target item. Applied in this order, each step optional
        filter, rename, derive, drop, defaults.
      - Without a transform, items are copied unchanged (the target then needs the source's key).
    type: dict
    suboptions:
      filter:
        description:
          - Copy only the items for which every rule holds. Items left out are counted as filtered, they are
            not failures.
        type: list
        elements: dict
        suboptions:
          attribute:
            description: Attribute of the source item the rule looks at.
            type: str
            required: true
          equals:
            description:
              - The attribute must exist and equal this value, type included (a string C("2") is not the
                number C(2)). Values are converted as for O(transform.defaults).
            type: raw
          exists:
            description: The attribute must exist (V(true)) or be absent (V(false)).
            type: bool
      rename:
        description: Attributes to rename, old name to new name.
        type: dict
      derive:
        description:
          - Attributes to set from a format, for example V(SESSION#{sessionId}) for a new partition key.
          - A C({name}) placeholder is replaced by the value of that attribute of the B(source) item (names
            before O(transform.rename)), which must be a string or a number. C({{) and C(}}) are literal braces.
          - A format without placeholders sets a constant, for example V(META) for a sort key.
          - Derived attributes are strings (C(S)); an item lacking a placeholder's attribute fails.
        type: dict
      drop:
        description: Attributes to remove from the target item (names after O(transform.rename)).
        type: list
        elements: str
      defaults:
        description:
          - Attributes to set where the target item has none. Plain values are stored as C(S) (strings),
            C(N) (integers and floats), C(BOOL), C(NULL), C(L) (lists) and C(M) (dicts).
        type: dict
"""
