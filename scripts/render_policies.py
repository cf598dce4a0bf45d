#!/usr/bin/env python
"""Generate the IAM policies of every stack the collection can deploy, for the IAM linter.

    render_policies.py OUTPUT_DIR     (make lint runs parliament on OUTPUT_DIR/*.json, cfn-lint on *.yaml)

For each source: the role's default tables, each files/examples/*.yml, each host of the staging and production
inventories, the team's original template (files/dynamodb-schema.yaml) and the 100-table stack of
render_templates.py (which needs the prefix scope), it writes <source>-deployer.json, <source>-planner.json,
<source>-application.json and the template of the stack that creates them, <source>-iam-stack.yaml. Account
123456789012 stands for the real one. Fails when a source cannot be generated.
"""
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".collections"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import stack_policies  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template  # noqa: E402
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template  # noqa: E402
from render_templates import large_stack, role_variables, settings_from, sources as template_sources  # noqa: E402

ACCOUNT_ID = "123456789012"
KINDS = ("deployer", "planner", "application")


def inventory_hosts(name):
    """(host, variables) of each host of inventories/<name>: group_vars/all.yml, then the host's own variables
    (connection settings left out)."""
    group = role_variables(os.path.join(ROOT, "inventories", name, "group_vars", "all.yml"))
    hosts = (role_variables(os.path.join(ROOT, "inventories", name, "hosts.yml")).get("all") or {}).get("hosts") or {}
    for host, host_variables in sorted(hosts.items()):
        own = dict((key, value) for key, value in (host_variables or {}).items() if not key.startswith("ansible_"))
        yield host, dict(group, **own)


def sources():
    """(name, template, stack name, region, settings, scope) for every stack to check."""
    defaults = role_variables(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml"))
    for name, tables, settings in template_sources():
        if name == "large-100-tables":
            continue  # below, with the scope it needs
        yield (name, render_stack_template(tables, settings), defaults["dynamodb_stack_name"],
               defaults["dynamodb_stack_aws_region"], settings, "auto")
    for inventory in ("staging", "production"):
        for host, variables in inventory_hosts(inventory):
            variables = dict(defaults, **variables)
            settings = settings_from(variables, defaults)
            yield ("%s-%s" % (inventory, host), render_stack_template(variables["dynamodb_stack_tables"], settings),
                   variables["dynamodb_stack_name"], variables["dynamodb_stack_aws_region"], settings, "auto")
    with open(os.path.join(ROOT, "files", "dynamodb-schema.yaml")) as handle:
        yield ("team-template", parse_template(handle.read()), defaults["dynamodb_stack_name"],
               defaults["dynamodb_stack_aws_region"], settings_from({}, defaults), "auto")
    settings = settings_from({}, defaults)
    yield ("large-100-tables", render_stack_template(large_stack(), settings), defaults["dynamodb_stack_name"],
           defaults["dynamodb_stack_aws_region"], settings, "prefix")


def main(argv):
    output = argv[1] if len(argv) > 1 else os.path.join(ROOT, ".run", "policies")
    os.makedirs(output, exist_ok=True)
    failed = False
    for name, template, stack_name, region, settings, scope in sources():
        try:
            result = stack_policies(template, stack_name, region, ACCOUNT_ID, scope=scope,
                                    name_prefix=settings["name_prefix"],
                                    alarm_name_prefix=settings["alarm_name_prefix"])
        except ValueError as e:
            failed = True
            print("%s: %s" % (name, e))
            continue
        for kind in KINDS:
            with open(os.path.join(output, "%s-%s.json" % (name, kind)), "w") as handle:
                json.dump(result[kind], handle, indent=2)
                handle.write("\n")
        with open(os.path.join(output, name + "-iam-stack.yaml"), "w") as handle:
            yaml.safe_dump(result["stack_template"], handle, sort_keys=False, width=120)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
