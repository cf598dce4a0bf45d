# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A many-to-one key transform, found early: two different source items whose transformed items share a target key.

A put replaces, so the target would keep only the last of them and the others would be lost; the count
verification after the copy notices it only once every item is written. Checked here instead, before a page is
written, against a bounded memory of target keys:

* the probe: the first source items (the page preflight reads), before any write;
* every page, each item against the other items of the same page (every pair of one page, exactly);
* every page, against the target keys of the first REMEMBERED_KEYS items of this run (probe included), whatever
  their segment.

Guaranteed: two source items of the probe, of one page, or of which the earlier is among the first
REMEMBERED_KEYS the run saw, stop the run before the later one is written; in check mode too. Not guaranteed:
two items further apart (the earlier one after the first REMEMBERED_KEYS, in another page), or split over two
runs (a resumed run remembers only its own items); the count verification after the copy still fails on those.
"""

import json
import threading

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import canonical_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import key_of
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import readable_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.writes import key_signature

# About 500 bytes each (the key's signature and the source key): 10,000 keys are ~5 MB, and a transform that
# derives the key from a non-unique attribute repeats a value long before that many items.
REMEMBERED_KEYS = 10000


class ManyToOneKey(DynamoDBError):
    """Two source items map to one target key; nothing of the page that holds the second was written."""


def as_text(key):
    return json.dumps(readable_key(key), sort_keys=True)


class KeyCollisions:
    """The target keys seen so far in this run, shared by the segment workers. target_key_names: the target's
    key attributes, HASH first."""

    def __init__(self, target_key_names, remembered_keys=REMEMBERED_KEYS):
        self.target_key_names = target_key_names
        self.remembered_keys = remembered_keys
        self.remembered = {}
        self.lock = threading.Lock()

    def check(self, entries):
        """entries: [(transformed item, source key)] of one page, none written yet. Raises ManyToOneKey at the
        first target key that two different source keys produce; else remembers the page's keys while room is left.
        """
        page = {}
        with self.lock:
            for item, source_key in entries:
                signature = key_signature(item, self.target_key_names)
                earlier = page.get(signature) or self.remembered.get(signature)
                if earlier is not None and canonical_item(earlier) != canonical_item(source_key):
                    raise ManyToOneKey(message="The transform maps two source items to one target key: %s and %s "
                                               "both become %s, and a put replaces, so the target would keep only "
                                               "one of them; make the target key unique (derive it from the "
                                               "source's key)" % (as_text(earlier), as_text(source_key),
                                                                  as_text(key_of(item, self.target_key_names))))
                page[signature] = source_key
            for signature, source_key in page.items():
                if len(self.remembered) >= self.remembered_keys:
                    break
                self.remembered.setdefault(signature, source_key)
