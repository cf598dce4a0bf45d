#!/usr/bin/env python
"""Render, through the schema lint, every template the collection can produce from data: the role's default
tables, each files/examples/*.yml, and a large synthetic stack; write them to a folder for cfn-lint.

    render_templates.py OUTPUT_DIR       (make lint runs cfn-lint on what it writes)
Fails when the lint finds an error in any of them.
"""
import glob
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".collections"))
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables  # noqa: E402


def large_stack(count=100):
    """count tables with two GSIs each: the size the rendering benchmark uses too. Alarms off: with the default
    five per table, 100 tables would pass CloudFormation's 500-resource quota (the renderer refuses that)."""
    return [dict(name="ai-chef-bulk-%03d" % number, hash_key=dict(name="PK"), range_key=dict(name="SK"), alarms=False,
                 global_secondary_indexes=[dict(name="byOwner", hash_key=dict(name="ownerId")),
                                           dict(name="byDate", hash_key=dict(name="ownerId"),
                                                range_key=dict(name="createdAt", type="N"), projection="KEYS_ONLY")])
            for number in range(count)]


def role_variables(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def settings_from(variables, defaults):
    merged = dict(defaults, **variables)
    return dict(table_tags=merged["dynamodb_stack_table_tags"], log_group_name=merged["dynamodb_stack_log_group_name"],
                log_retention_days=merged["dynamodb_stack_log_retention_days"],
                alarm_topic_arn=merged["dynamodb_stack_alarm_topic_arn"], alarms=merged["dynamodb_stack_alarms"],
                alarm_period=merged["dynamodb_stack_alarm_period"],
                alarm_name_prefix=merged["dynamodb_stack_alarm_name_prefix"],
                name_prefix=merged["dynamodb_stack_table_name_prefix"],
                description=merged["dynamodb_stack_description"])


def sources():
    defaults = role_variables(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml"))
    yield "default", defaults["dynamodb_stack_tables"], settings_from({}, defaults)
    for path in sorted(glob.glob(os.path.join(ROOT, "files", "examples", "*.yml"))):
        variables = role_variables(path)
        if "dynamodb_stack_tables" in variables:
            yield ("example-" + os.path.splitext(os.path.basename(path))[0], variables["dynamodb_stack_tables"],
                   settings_from(variables, defaults))
    yield "large-100-tables", large_stack(), settings_from({}, defaults)


def main(argv):
    output = argv[1] if len(argv) > 1 else os.path.join(ROOT, ".run", "rendered")
    os.makedirs(output, exist_ok=True)
    failed = False
    for name, tables, settings in sources():
        errors = [line for line in format_findings(lint_tables(tables, settings["name_prefix"]))
                  if line.startswith("error")]
        if errors:
            failed = True
            print("%s: %s" % (name, "\n  ".join(errors)))
            continue
        with open(os.path.join(output, name + ".yaml"), "w") as handle:
            handle.write(render_template_body(tables, settings))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
