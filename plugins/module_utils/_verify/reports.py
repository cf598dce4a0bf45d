# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verification checks as a person and a CI read them: a compact text summary, JUnit XML, Markdown.

Pure functions over the checks of verification.verify_stack(...) ({name, status, expected, actual, reason});
no AWS call and no file access here (the module writes the files).

A check's name is "<subject>: <aspect>", the subject being "<kind> <id>" (e.g. "table ai-chef-sessions: key
schema"). Every failed and unsupported check is always shown whole, with expected and actual; passes are grouped
per subject (one line per table, alarm, log group), and subjects with a single pass of the same kind and aspect
(outputs, exports, drift) share a line, so a healthy stack of two tables prints a few dozen lines, not 100+.
"""

import re
import xml.etree.ElementTree as ET

from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.check_text import value_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import count_checks


JUNIT_FILE_NAME = "verify.junit.xml"
MARKDOWN_FILE_NAME = "verify.md"

# Subject kinds, longest first: "log group /aws/x" is kind "log group", id "/aws/x".
SUBJECT_KINDS = ("log group", "resource", "output", "export", "table", "alarm", "stack")
STATUS_ORDER = (FAIL, UNSUPPORTED, PASS)
SUMMARY_LABELS = {PASS: "pass", FAIL: "FAIL", UNSUPPORTED: "unsupported"}
SUMMARY_VALUE_WIDTH = 34
SUMMARY_NAME_WIDTH = 80
# A line of merged subjects ("output A, B, C: value") is cut into several lines beyond this many characters.
SUMMARY_MERGED_WIDTH = 110
UNSUPPORTED_MEANING = "not decided on this endpoint, never counted as passed"


def counts_text(counts):
    return "%d passed, %d failed, %d unsupported (not counted as passed)" % (
        counts[PASS], counts[FAIL], counts[UNSUPPORTED])


def split_check_name(name):
    """("table ai-chef-sessions", "key schema") from "table ai-chef-sessions: key schema"; the aspect is the part
    after the last ": " (subjects may contain one, aspects never do)."""
    if ": " not in name:
        return name, ""
    subject, aspect = name.rsplit(": ", 1)
    return subject, aspect


def split_subject(subject):
    """("log group", "/aws/dynamodb/x") from "log group /aws/dynamodb/x"; an unknown kind is the first word."""
    for kind in SUBJECT_KINDS:
        if subject.startswith(kind + " "):
            return kind, subject[len(kind) + 1:]
    kind, dummy, rest = subject.partition(" ")
    return kind, rest


def shorten(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


# --- grouping of the passes ------------------------------------------------------------------------------------
def group_passes(checks):
    """The passed checks as rows {kind, ids, aspects}, in check order. Each row means: every subject
    "<kind> <id>" passed every aspect listed. One row per subject; subjects whose only pass is the same aspect
    of the same kind (outputs, exports, drift of several resources) share one row."""
    subjects = []
    aspects = {}
    for check in checks:
        if check["status"] != PASS:
            continue
        subject, aspect = split_check_name(check["name"])
        if subject not in aspects:
            subjects.append(subject)
            aspects[subject] = []
        aspects[subject].append(aspect)
    rows = []
    merged = {}
    for subject in subjects:
        kind, identifier = split_subject(subject)
        if len(aspects[subject]) == 1:
            key = (kind, aspects[subject][0])
            if key in merged:
                merged[key]["ids"].append(identifier)
                continue
            merged[key] = dict(kind=kind, ids=[identifier], aspects=list(aspects[subject]))
            rows.append(merged[key])
        else:
            rows.append(dict(kind=kind, ids=[identifier], aspects=aspects[subject]))
    return rows


def pass_row_text(kind, ids, aspects):
    return "%s %s: %s" % (kind, ", ".join(ids), ", ".join(aspects))


def split_pass_row(row, width=SUMMARY_MERGED_WIDTH):
    """A merged row with many ids is cut into rows that each fit in width characters (at least one id each)."""
    if len(row["ids"]) == 1:
        return [row]
    parts, current = [], []
    for identifier in row["ids"]:
        if current and len(pass_row_text(row["kind"], current + [identifier], row["aspects"])) > width:
            parts.append(dict(row, ids=current))
            current = []
        current.append(identifier)
    parts.append(dict(row, ids=current))
    return parts


# --- the human summary -----------------------------------------------------------------------------------------
def ordered_problems(checks):
    """The failed checks, then the unsupported ones, each in check order."""
    return [check for status in (FAIL, UNSUPPORTED) for check in checks if check["status"] == status]


def compact_summary_lines(checks):
    """The checks as a compact table for the end of a run.

    Failed then unsupported checks one row each (status, check, expected, actual; long values shortened), with
    the reason under each; consecutive rows with the same reason share one reason line. Then the passes grouped
    per subject ("pass (8)  table ai-chef-sessions: exists, name, status, ..."), then the counts, last.
    """
    problems = ordered_problems(checks)
    name_width = min(SUMMARY_NAME_WIDTH, max([len("CHECK")] + [len(check["name"]) for check in problems]))
    row = "%-11s  %-" + str(name_width) + "s  %-" + str(SUMMARY_VALUE_WIDTH) + "s  %s"
    lines = [row % ("STATUS", "CHECK", "EXPECTED", "ACTUAL")] if problems else []
    index = 0
    while index < len(problems):
        check = problems[index]
        run = 1
        while index + run < len(problems) and problems[index + run]["status"] == check["status"] \
                and problems[index + run]["reason"] == check["reason"]:
            run += 1
        for same in problems[index:index + run]:
            lines.append((row % (SUMMARY_LABELS[same["status"]], shorten(same["name"], name_width),
                                 shorten(value_text(same["expected"]), SUMMARY_VALUE_WIDTH),
                                 shorten(value_text(same["actual"]), SUMMARY_VALUE_WIDTH))).rstrip())
        if check["reason"]:
            lines.append("%13s-> %s%s" % ("", "(all %d above) " % run if run > 1 else "", check["reason"]))
        index += run
    for grouped in group_passes(checks):
        for part in split_pass_row(grouped):
            label = "pass (%d)" % (len(part["ids"]) * len(part["aspects"]))
            lines.append("%-11s  %s" % (label, pass_row_text(part["kind"], part["ids"], part["aspects"])))
    lines.append(counts_text(count_checks(checks)))
    return lines


# --- JUnit XML -------------------------------------------------------------------------------------------------
# XML 1.0 allows no control characters but tab, newline and carriage return (not even escaped).
_XML_INVALID = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    return _XML_INVALID.sub("?", value if isinstance(value, str) else value_text(value))


def check_details(check):
    lines = ["expected: %s" % value_text(check["expected"]), "actual:   %s" % value_text(check["actual"])]
    if check["reason"]:
        lines.append("reason:   %s" % check["reason"])
    return "\n".join(lines) + "\n"


def junit_xml(stack_name, checks, elapsed_seconds=0.0, timestamp=None):
    """One <testsuite> for the stack, one <testcase> per check: a fail is a <failure> (message: expected vs
    actual), an unsupported check is <skipped> (message: the reason). classname is "<stack>.<kind>" (CI
    readers show it as package and class), name is the whole check name.

    timestamp: ISO 8601 without zone, e.g. "2026-11-25T09:00:00" (left out when None).
    """
    counts = count_checks(checks)
    totals = dict(tests=str(len(checks)), failures=str(counts[FAIL]), errors="0", skipped=str(counts[UNSUPPORTED]),
                  time="%.3f" % elapsed_seconds)
    root = ET.Element("testsuites", dict(name="verify-dynamodb %s" % xml_text(stack_name), **totals))
    suite_attributes = dict(name="stack %s" % xml_text(stack_name), **totals)
    if timestamp:
        suite_attributes["timestamp"] = timestamp
    suite = ET.SubElement(root, "testsuite", suite_attributes)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", dict(name="stack", value=xml_text(stack_name)))
    ET.SubElement(properties, "property", dict(name="summary", value=counts_text(counts)))
    for check in checks:
        kind, dummy = split_subject(split_check_name(check["name"])[0])
        case = ET.SubElement(suite, "testcase", dict(classname=xml_text("%s.%s" % (stack_name, kind)),
                                                     name=xml_text(check["name"]), time="0"))
        if check["status"] == FAIL:
            failure = ET.SubElement(case, "failure", dict(
                type="mismatch", message=xml_text("expected %s, actual %s" % (
                    value_text(check["expected"]), value_text(check["actual"])))))
            failure.text = xml_text(check_details(check))
        elif check["status"] == UNSUPPORTED:
            skipped = ET.SubElement(case, "skipped", dict(
                message=xml_text("unsupported: %s" % (check["reason"] or UNSUPPORTED_MEANING))))
            skipped.text = xml_text(check_details(check))
    if hasattr(ET, "indent"):  # Python >= 3.9
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- Markdown --------------------------------------------------------------------------------------------------
def markdown_cell(text):
    """Plain text safe in a GitHub-flavoured Markdown table cell: no line breaks, pipes and HTML escaped."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def markdown_code(value):
    """A value as inline code in a table cell (pipes escaped; a value with backticks gets a longer fence)."""
    text = " ".join(value_text(value).split()).replace("|", "\\|")
    if not text:
        return ""
    fence = "``" if "`" in text else "`"
    padding = " " if "`" in text else ""
    return "%s%s%s%s%s" % (fence, padding, text, padding, fence)


def markdown_problem_table(checks):
    lines = ["| Check | Expected | Actual | Reason |", "| --- | --- | --- | --- |"]
    for check in checks:
        lines.append("| %s | %s | %s | %s |" % (markdown_cell(check["name"]), markdown_code(check["expected"]),
                                                markdown_code(check["actual"]), markdown_cell(check["reason"])))
    return lines


def markdown_report(stack_name, checks):
    """A step summary: the counts first, then the failed, the unsupported and (folded) the passed checks."""
    counts = count_checks(checks)
    verdict = "FAILED" if counts[FAIL] else "passed"
    lines = [
        "## Verification of DynamoDB stack `%s`: %s" % (stack_name, verdict),
        "",
        "| Result | Checks |",
        "| --- | ---: |",
        "| failed | %d |" % counts[FAIL],
        "| unsupported (%s) | %d |" % (UNSUPPORTED_MEANING, counts[UNSUPPORTED]),
        "| passed | %d |" % counts[PASS],
        "| **total** | **%d** |" % len(checks),
        "",
        "### Failed (%d)" % counts[FAIL],
        "",
    ]
    failed = [check for check in checks if check["status"] == FAIL]
    lines.extend(markdown_problem_table(failed) if failed else ["None."])
    lines.extend(["", "### Unsupported (%d)" % counts[UNSUPPORTED], ""])
    unsupported = [check for check in checks if check["status"] == UNSUPPORTED]
    lines.extend(markdown_problem_table(unsupported) if unsupported else ["None."])
    lines.extend(["", "### Passed (%d)" % counts[PASS], ""])
    rows = group_passes(checks)
    if not rows:
        lines.append("None.")
    else:
        lines.extend(["<details><summary>%d checks passed, grouped per resource</summary>" % counts[PASS], "",
                      "| Resource | Passed | Checks |", "| --- | ---: | --- |"])
        for row in rows:
            lines.append("| %s | %d | %s |" % (markdown_cell("%s %s" % (row["kind"], ", ".join(row["ids"]))),
                                               len(row["ids"]) * len(row["aspects"]),
                                               markdown_cell(", ".join(row["aspects"]))))
        lines.extend(["", "</details>"])
    return "\n".join(lines) + "\n"


def report_files(stack_name, checks, elapsed_seconds=0.0, timestamp=None):
    """{file name: text} of the reports a CI reads."""
    return {
        JUNIT_FILE_NAME: junit_xml(stack_name, checks, elapsed_seconds, timestamp),
        MARKDOWN_FILE_NAME: markdown_report(stack_name, checks),
    }
