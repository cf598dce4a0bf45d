# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks as plain text lines: failure_lines for the module's failures, summary_lines for a full table.

Kept apart from the checks themselves because only presentation lives here; reports.py shares value_text so that a
value reads the same in every report.
"""

import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import count_checks

STATUS_LABELS = {PASS: "pass", FAIL: "FAIL", UNSUPPORTED: "unsupported"}
SUMMARY_VALUE_WIDTH = 34
SUMMARY_NAME_WIDTH = 80  # the longest alarm check names of the rendered template fit whole


def value_text(value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def shorten(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


def failure_lines(checks):
    """One line per failed check, with the whole expected and actual values."""
    return ["%s: expected %s, actual %s%s" % (check["name"], value_text(check["expected"]), value_text(check["actual"]),
                                              " (%s)" % check["reason"] if check["reason"] else "")
            for check in checks if check["status"] == FAIL]


def summary_lines(checks):
    """A compact table: status, check, expected, actual (values shortened), a reason line under each check that is
    not a pass, and the counts."""
    name_width = min(SUMMARY_NAME_WIDTH, max([len("CHECK")] + [len(check["name"]) for check in checks]))
    row = "%-11s  %-" + str(name_width) + "s  %-" + str(SUMMARY_VALUE_WIDTH) + "s  %s"
    lines = [row % ("STATUS", "CHECK", "EXPECTED", "ACTUAL")]
    for check in checks:
        lines.append((row % (STATUS_LABELS[check["status"]], shorten(check["name"], name_width),
                             shorten(value_text(check["expected"]), SUMMARY_VALUE_WIDTH),
                             shorten(value_text(check["actual"]), SUMMARY_VALUE_WIDTH))).rstrip())
        if check["status"] != PASS and check["reason"]:
            lines.append("%13s-> %s" % ("", check["reason"]))
    counts = count_checks(checks)
    lines.append("%d passed, %d failed, %d unsupported (not counted as passed)" % (
        counts[PASS], counts[FAIL], counts[UNSUPPORTED]))
    return lines
