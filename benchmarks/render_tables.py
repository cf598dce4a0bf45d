#!/usr/bin/env python
"""Lint + render time of 100 tables with 2 GSIs each, as a ratio to the default two-table stack, in one run.

    .venv/bin/python benchmarks/render_tables.py [--repeat 20]
Target (issue 4): < 2 s for the 100 tables.
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, ".collections"))
from render_templates import large_stack, role_variables, settings_from  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables  # noqa: E402


def lint_and_render(tables, settings):
    started = time.perf_counter()
    assert not [f for f in lint_tables(tables, settings["name_prefix"]) if f["severity"] == "error"]
    render_template_body(tables, settings)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    defaults = role_variables(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml"))
    settings = settings_from({}, defaults)
    cases = [("default 2 tables", defaults["dynamodb_stack_tables"]), ("100 tables x 2 GSIs", large_stack())]
    medians = {}
    for label, tables in cases:
        medians[label] = statistics.median(lint_and_render(tables, settings) for dummy in range(args.repeat))
    baseline = medians["default 2 tables"]
    print("schema lint + template rendering, median of %d runs each (same process)" % args.repeat)
    for label, seconds in medians.items():
        print("  %-22s %8.2f ms  ratio %6.1f" % (label, seconds * 1000, seconds / baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
