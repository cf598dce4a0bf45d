"""reports: the verification checks as a compact summary, JUnit XML and Markdown. Pure functions, no stubs."""
import xml.etree.ElementTree as ET

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify import reports
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.verification import verify_stack
from ansible_collections.aichef.dynamodb.plugins.modules.dynamodb_stack_verify import verify_deployed_stack
from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team

CHECKS = [
    make_check("stack s: status", PASS, "one of CREATE_COMPLETE", "CREATE_COMPLETE"),
    make_check("table t1: exists", PASS, "present", "present"),
    make_check("table t1: key schema", PASS, ["id HASH"], ["id HASH"]),
    make_check("table t1: time to live", UNSUPPORTED, "ENABLED (attribute TTL)", "DISABLED", "endpoint gap"),
    make_check("log group /aws/x: retention", FAIL, 7, 14),
    make_check("output A: value", PASS, "a", "a"),
    make_check("output B: value", PASS, "b", "b"),
    make_check("resource R1: drift", UNSUPPORTED, "IN_SYNC", "not reported", "not reported by drift"),
    make_check("resource R2: drift", UNSUPPORTED, "IN_SYNC", "not reported", "not reported by drift"),
    make_check("resource R3: drift", PASS, "IN_SYNC", "IN_SYNC"),
]


def expand_pass_lines(lines):
    """Check names back from the grouped pass lines (each id passed each aspect)."""
    names = []
    for line in lines:
        if not line.startswith("pass ("):
            continue
        count, text = line[len("pass ("):].split(")", 1)
        subjects, aspects = text.strip().rsplit(": ", 1)
        kind, identifiers = reports.split_subject(subjects)
        expanded = ["%s %s: %s" % (kind, identifier, aspect) for identifier in identifiers.split(", ")
                    for aspect in aspects.split(", ")]
        assert len(expanded) == int(count), line
        names.extend(expanded)
    return names


class TestSplitCheckName:
    def test_split_check_name_last_colon_separates_aspect(self):
        assert reports.split_check_name("alarm A: B: dimension TableName") == ("alarm A: B", "dimension TableName")

    def test_split_check_name_without_aspect(self):
        assert reports.split_check_name("odd") == ("odd", "")

    def test_split_subject_two_word_kind(self):
        assert reports.split_subject("log group /aws/dynamodb/x") == ("log group", "/aws/dynamodb/x")

    def test_split_subject_unknown_kind_is_first_word(self):
        assert reports.split_subject("bucket b") == ("bucket", "b")


class TestGroupPasses:
    def test_group_passes_one_row_per_subject_and_merges_single_aspects(self):
        rows = reports.group_passes(CHECKS)

        assert rows == [
            dict(kind="stack", ids=["s"], aspects=["status"]),
            dict(kind="table", ids=["t1"], aspects=["exists", "key schema"]),
            dict(kind="output", ids=["A", "B"], aspects=["value"]),
            dict(kind="resource", ids=["R3"], aspects=["drift"]),
        ]

    def test_split_pass_row_long_merge_is_cut_but_keeps_every_id(self):
        row = dict(kind="output", ids=["Output%02dWithALongName" % n for n in range(20)], aspects=["value"])

        parts = reports.split_pass_row(row, width=80)

        assert len(parts) > 1
        assert [identifier for part in parts for identifier in part["ids"]] == row["ids"]
        assert all(len(reports.pass_row_text(p["kind"], p["ids"], p["aspects"])) <= 80 for p in parts)


class TestCompactSummaryLines:
    def test_compact_summary_lines_problems_first_then_grouped_passes_then_counts(self):
        lines = reports.compact_summary_lines(CHECKS)

        assert lines[0].split() == ["STATUS", "CHECK", "EXPECTED", "ACTUAL"]
        assert lines[1].split()[:2] == ["FAIL", "log"]
        assert lines[1].split()[-2:] == ["7", "14"]
        assert lines[2].split()[0] == "unsupported" and "time to live" in lines[2]
        assert lines[3].strip() == "-> endpoint gap"
        assert lines[-1] == "6 passed, 1 failed, 3 unsupported (not counted as passed)"

    def test_compact_summary_lines_same_reason_is_shown_once_for_a_run(self):
        lines = reports.compact_summary_lines(CHECKS)

        assert [line.strip() for line in lines if "->" in line] == [
            "-> endpoint gap", "-> (all 2 above) not reported by drift"]

    def test_compact_summary_lines_every_pass_is_in_a_group(self):
        lines = reports.compact_summary_lines(CHECKS)

        assert sorted(expand_pass_lines(lines)) == sorted(c["name"] for c in CHECKS if c["status"] == PASS)

    def test_compact_summary_lines_all_passed_has_no_header(self):
        lines = reports.compact_summary_lines([CHECKS[0]])

        assert lines == ["pass (1)     stack s: status", "1 passed, 0 failed, 0 unsupported (not counted as passed)"]

    def test_compact_summary_lines_team_stack_on_emulator_is_short(self, stubbed_clients):
        """The deployed team stack (2 tables, 1 alarm): a few lines of passes, each unsupported check shown."""
        team.stub_team_stack(stubbed_clients)
        team.stub_drift_detection(stubbed_clients, team.emulator_like_drifts())
        result = verify_deployed_stack(stubbed_clients, team.STACK_NAME,
                                       parse_template(team.team_template_body()), True, 300)

        lines = result["summary"]

        assert len(lines) < len(result["checks"]) / 2
        assert sorted(expand_pass_lines(lines)) == sorted(c["name"] for c in result["checks"] if c["status"] == PASS)
        for check in result["checks"]:
            if check["status"] != PASS:
                assert any(line.split()[0] == check["status"] and check["name"] in line for line in lines)


class TestJunitXml:
    def test_junit_xml_one_testcase_per_check_with_failure_and_skipped(self):
        root = ET.fromstring(reports.junit_xml("ai-chef-dynamodb", CHECKS, 1.5, "2026-11-25T09:00:00"))

        suite = root.find("testsuite")
        cases = suite.findall("testcase")
        assert root.tag == "testsuites"
        assert len(cases) == len(CHECKS)
        assert [case.get("name") for case in cases] == [check["name"] for check in CHECKS]
        assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == \
            ("10", "1", "3", "0")
        assert suite.get("timestamp") == "2026-11-25T09:00:00" and suite.get("time") == "1.500"
        failure = cases[4].find("failure")
        assert failure.get("message") == "expected 7, actual 14"
        assert "expected: 7" in failure.text and "actual:   14" in failure.text
        assert cases[3].find("skipped").get("message") == "unsupported: endpoint gap"
        assert cases[0].find("failure") is None and cases[0].find("skipped") is None
        assert cases[4].get("classname") == "ai-chef-dynamodb.log group"

    def test_junit_xml_escapes_markup_and_drops_control_characters(self):
        check = make_check('output X: value', FAIL, '<a href="x">&</a>', "bell\x07")

        root = ET.fromstring(reports.junit_xml("s", [check]))

        failure = root.find("testsuite/testcase/failure")
        assert failure.get("message") == 'expected <a href="x">&</a>, actual bell?'

    def test_junit_xml_structured_values_as_json(self):
        check = make_check("table t: attribute types", FAIL, {"id": "S"}, {"id": "N"})

        failure = ET.fromstring(reports.junit_xml("s", [check])).find("testsuite/testcase/failure")

        assert failure.get("message") == 'expected {"id": "S"}, actual {"id": "N"}'

    def test_junit_xml_no_checks_is_valid(self):
        root = ET.fromstring(reports.junit_xml("s", []))
        assert root.get("tests") == "0" and root.find("testsuite").findall("testcase") == []

    def test_junit_xml_whole_verification_counts_match(self):
        info = dict(stack={}, tables=[], alarms=[], log_groups=[])
        checks = verify_stack("absent-stack", parse_template(team.team_template_body()), info)

        root = ET.fromstring(reports.junit_xml("absent-stack", checks))

        assert root.get("tests") == "1" and root.get("failures") == "1"


class TestMarkdownReport:
    def test_markdown_report_counts_first_then_failed_unsupported_passed(self):
        text = reports.markdown_report("ai-chef-dynamodb", CHECKS)

        order = [text.index(marker) for marker in ("| failed | 1 |", "### Failed (1)", "### Unsupported (3)",
                                                   "### Passed (6)")]
        assert order == sorted(order)
        assert text.startswith("## Verification of DynamoDB stack `ai-chef-dynamodb`: FAILED")
        assert "| log group /aws/x: retention | `7` | `14` |  |" in text
        assert "| table t1: time to live | `ENABLED (attribute TTL)` | `DISABLED` | endpoint gap |" in text
        assert "| output A, B | 2 | value |" in text

    def test_markdown_report_all_passed_says_none(self):
        text = reports.markdown_report("s", [CHECKS[0]])

        assert "passed" in text.splitlines()[0]
        assert text.count("None.") == 2

    def test_markdown_cell_escapes_pipes_html_and_newlines(self):
        assert reports.markdown_cell("a|b\n<c>") == "a\\|b &lt;c&gt;"

    def test_markdown_code_value_with_backtick_gets_longer_fence(self):
        assert reports.markdown_code("a`b") == "`` a`b ``"
        assert reports.markdown_code({"k": "a|b"}) == '`{"k": "a\\|b"}`'

    def test_report_files_names(self):
        assert sorted(reports.report_files("s", CHECKS)) == ["verify.junit.xml", "verify.md"]
