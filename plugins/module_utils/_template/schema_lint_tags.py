# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's check of a table's tags against AWS's tagging rules (key and value lengths, the reserved aws:
prefix), which CloudFormation only enforces once the table resource is being created or updated.
"""

from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe

MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256


def check_tags(table):
    tags = table.entry.get("tags")
    if tags is None:
        return
    if not isinstance(tags, Mapping):
        table.error("tags", "tags must be a mapping of tag keys to string values, got %s; e.g. "
                            "tags: {Environment: production}." % describe(tags))
        return
    for key, value in tags.items():
        field = "tags.%s" % (key,)
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_TAG_KEY_LENGTH:
            table.error(field, "a tag key must be a string of 1-%d characters, got %s."
                        % (MAX_TAG_KEY_LENGTH, describe(key)))
            continue
        if key.lower().startswith("aws:"):
            table.error(field, 'the tag key "%s" starts with "aws:", which AWS reserves for its own tags; '
                               "choose another key." % key)
        if not isinstance(value, str):
            table.error(field, "tag values must be strings, got %s; quote the value." % describe(value))
        elif len(value) > MAX_TAG_VALUE_LENGTH:
            table.error(field, "the tag value has %d characters; AWS allows at most %d, so shorten it."
                        % (len(value), MAX_TAG_VALUE_LENGTH))
