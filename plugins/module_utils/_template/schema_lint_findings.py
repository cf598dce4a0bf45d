# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's findings: the collector every check reports into, and how a wrong value reads in a message.

Kept apart from the checks so that every concern of the lint (keys, indexes, billing, ...) reports and spells a bad
value the same way, and so that code reading the findings (the dynamodb_schema_findings filter) can name the
severities without importing the checks.
"""

from collections.abc import Mapping

ERROR = "error"
WARNING = "warning"


class Findings:
    """Collects findings; errors and warnings apart so errors can come first whatever order the checks ran in."""

    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, table, field, message):
        self.errors.append(dict(severity=ERROR, table=table, field=field, message=message))

    def warning(self, table, field, message):
        self.warnings.append(dict(severity=WARNING, table=table, field=field, message=message))

    def ordered(self):
        return self.errors + self.warnings


def quote(value):
    return '"%s"' % value if isinstance(value, str) else describe(value)


def describe(value):
    """How a wrong value reads in a message: its type, and the value itself when short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "the boolean %s" % ("true" if value else "false")
    if isinstance(value, str):
        return 'the string "%s"' % (value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (int, float)):
        return "the number %s" % value
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a %s" % type(value).__name__
