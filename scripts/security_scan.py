#!/usr/bin/env python
"""Static security scan of CloudFormation templates with checkov (make lint).

    security_scan.py CHECKOV TEMPLATE...     CHECKOV: the checkov of its own venv (.venv-checkov/bin/checkov)

Runs checkov once over all templates with .checkov.yml (offline, the collection's own checks, the checks skipped
everywhere and why), then applies tests/checkov/accepted_findings.yml: findings accepted for one template and
resource, each with its reason. Prints one line per template and every finding left; exits 1 when a finding is
not accepted or an accepted finding no longer occurs (the entry is stale).
"""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, ".checkov.yml")
ACCEPTED = os.path.join(ROOT, "tests", "checkov", "accepted_findings.yml")


def run_checkov(checkov, templates):
    """checkov's JSON results, one report per framework (a list even when checkov prints one object)."""
    command = [checkov, "--config-file", CONFIG, "--output", "json"]
    for template in templates:
        command += ["--file", template]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1: some check failed; anything else: checkov itself failed
        raise SystemExit("checkov failed (exit %d):\n%s%s" % (done.returncode, done.stdout, done.stderr))
    reports = json.loads(done.stdout)
    return reports if isinstance(reports, list) else [reports]


def template_of(file_path, templates):
    """The template (as given on the command line) that checkov's file_path (/<path from a common root>) names."""
    matches = [template for template in templates
               if os.path.abspath(os.path.join(ROOT, template)).endswith(file_path)]
    return matches[0] if matches else file_path.lstrip("/")


def acceptance_for(template, check_id, resource, accepted):
    for entry in accepted:
        if entry["check"] == check_id and resource in entry["resources"] and (
                template == entry["file"] or os.path.basename(template) == entry["file"]):
            return entry
    return None


def load_accepted():
    with open(ACCEPTED) as handle:
        accepted = yaml.safe_load(handle) or []
    for entry in accepted:
        missing = [key for key in ("file", "check", "resources", "reason") if not entry.get(key)]
        if missing:
            raise SystemExit("%s: an entry lacks %s: %s" % (ACCEPTED, ", ".join(missing), entry))
    return accepted


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    checkov, templates = argv[1], argv[2:]
    accepted = load_accepted()
    counts = dict((template, dict(passed=0, failed=0, accepted=0)) for template in templates)
    failures, used = [], set()
    for report in run_checkov(checkov, templates):
        results = report.get("results", {})
        for record in results.get("passed_checks", []):
            template = template_of(record["file_path"], templates)
            counts.setdefault(template, dict(passed=0, failed=0, accepted=0))["passed"] += 1
        for record in results.get("failed_checks", []):
            template = template_of(record["file_path"], templates)
            entry = acceptance_for(template, record["check_id"], record["resource"], accepted)
            tally = counts.setdefault(template, dict(passed=0, failed=0, accepted=0))
            if entry:
                tally["accepted"] += 1
                used.add((id(entry), record["resource"]))
            else:
                tally["failed"] += 1
                failures.append("%s: %s %s (%s)" % (template, record["check_id"], record["resource"],
                                                    record["check_name"]))
    for template in templates:
        tally = counts[template]
        print("checkov %s: %d passed, %d failed, %d accepted"
              % (template, tally["passed"], tally["failed"], tally["accepted"]))
    scanned = set(template for template in templates) | set(os.path.basename(template) for template in templates)
    stale = ["%s: %s %s" % (entry["file"], entry["check"], resource) for entry in accepted
             for resource in entry["resources"]
             if entry["file"] in scanned and (id(entry), resource) not in used]
    for line in failures:
        print("FAILED " + line)
    for line in stale:
        print("STALE accepted finding (no longer reported; update %s): %s" % (os.path.relpath(ACCEPTED, ROOT), line))
    return 1 if failures or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
