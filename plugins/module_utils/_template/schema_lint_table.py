# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One table entry under the schema lint: what the checks have learned about it, how they report on it, and the two
field checks that every concern of the lint uses (unknown keys, a value from a fixed set).

The concerns (schema_lint_identity.py, schema_lint_keys.py, schema_lint_indexes.py, ...) are functions of this one
object because what one learns is what another needs: the indexes need the billing mode and whether the table has a
range key, the attribute-name checks need every attribute the keys, TTL and projections met. The object carries
that between them, so no class has to hold every check.
"""

import difflib

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe


class TableLint:
    """The state of one table entry's lint. Attribute names met on the way are collected in self.attributes as
    (name, field, role, type) and checked together at the end: types must agree across keys and indexes, the TTL
    attribute must not be a key, and names must be neither reserved words nor off the camelCase convention."""

    def __init__(self, findings, entry, label, name_prefix, index=0):
        self.findings = findings
        self.position = "tables[%d]" % index  # names the entry in messages about another entry
        self.entry = entry
        self.label = label
        self.name_prefix = name_prefix
        self.attributes = []  # (attribute name, field path, "key" | "ttl" | "projection", type or None)
        self.name = None  # the table name, once it passes the name rules
        self.billing_mode = None  # the table's billing mode, once it is valid
        self.ttl_attribute = None
        self.has_range_key = False
        self.index_names = {}  # index name -> field path of its first declaration

    def error(self, field, text):
        self.findings.error(self.label, field, "Table %s, %s: %s" % (self.label, field, text))

    def warning(self, field, text):
        self.findings.warning(self.label, field, "Table %s, %s: %s" % (self.label, field, text))


def check_unknown_keys(table, mapping, prefix, allowed, hints=None):
    """Every key of the mapping that is not in allowed: almost always a typo, which would otherwise be ignored
    silently and leave the setting at its default."""
    for key in sorted(set(mapping) - set(allowed), key=str):
        field = prefix + str(key)
        if hints and key in hints:
            advice = hints[key]
        else:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                advice = 'did you mean "%s"? Fix the spelling or remove the key.' % close[0]
            else:
                advice = "remove it; the allowed keys are %s." % ", ".join(allowed)
        table.error(field, 'unknown key "%s"; %s' % (key, advice))


def check_choice(table, value, field, choices):
    """True when value is absent or one of choices; otherwise an error naming the choices (and the closest)."""
    if value is None or (isinstance(value, str) and value in choices):
        return True
    if isinstance(value, str):
        close = difflib.get_close_matches(value.upper(), choices, n=1, cutoff=0.6)
        hint = ' (did you mean "%s"?)' % close[0] if close else ""
        table.error(field, '"%s" is not a valid %s%s; use one of %s.'
                    % (value, field.rsplit(".", 1)[-1], hint, ", ".join(choices)))
    else:
        table.error(field, "%s must be one of %s, got %s."
                    % (field.rsplit(".", 1)[-1], ", ".join(choices), describe(value)))
    return False
