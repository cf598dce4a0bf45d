"""dynamodb_stack_verify report_dir: verify.junit.xml and verify.md written next to the result (Stubber)."""
import os
import xml.etree.ElementTree as ET

from ansible_collections.aichef.dynamodb.tests.unit.utils import team_stack as team


class TestWriteReports:
    def test_report_dir_written_with_one_testcase_per_check(self, run_module, stubbed_clients, tmp_path):
        team.stub_team_stack(stubbed_clients, groups=[team.team_log_group(retention=14)])
        team.stub_drift_detection(stubbed_clients, team.emulator_like_drifts())
        report_dir = tmp_path / "reports" / "nested"

        result = run_module(report_dir=str(report_dir))

        assert result["changed"] is False
        assert result["reports"] == dict(junit=str(report_dir / "verify.junit.xml"),
                                         markdown=str(report_dir / "verify.md"))
        suite = ET.parse(result["reports"]["junit"]).getroot().find("testsuite")
        cases = suite.findall("testcase")
        assert len(cases) == len(result["checks"])
        assert int(suite.get("failures")) == result["counts"]["fail"] == 1
        assert int(suite.get("skipped")) == result["counts"]["unsupported"]
        failed = [case.get("name") for case in cases if case.find("failure") is not None]
        assert failed == ["log group /aws/dynamodb/ai-chef-tables: retention"]
        with open(result["reports"]["markdown"]) as handle:
            markdown = handle.read()
        assert "| log group /aws/dynamodb/ai-chef-tables: retention | `7` | `14` |" in markdown
        assert sorted(os.listdir(str(report_dir))) == ["verify.junit.xml", "verify.md"]

    def test_report_dir_written_in_check_mode(self, run_module, stubbed_clients, tmp_path):
        team.stub_team_stack(stubbed_clients)

        result = run_module(report_dir=str(tmp_path), detect_drift=False, _ansible_check_mode=True)

        assert result["changed"] is False
        assert os.path.isfile(result["reports"]["junit"]) and os.path.isfile(result["reports"]["markdown"])

    def test_no_report_dir_writes_nothing(self, run_module, stubbed_clients, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        team.stub_team_stack(stubbed_clients)

        result = run_module(detect_drift=False)

        assert "reports" not in result
        assert os.listdir(str(tmp_path)) == []

    def test_report_dir_not_writable_fails_with_the_checks(self, run_module, stubbed_clients, tmp_path):
        team.stub_team_stack(stubbed_clients)
        blocker = tmp_path / "file"
        blocker.write_text("not a directory")

        result = run_module(report_dir=str(blocker / "reports"), detect_drift=False)

        assert result["failed"] is True
        assert result["msg"].startswith("Failed to write the reports into %s" % (blocker / "reports"))
        assert result["checks"]
