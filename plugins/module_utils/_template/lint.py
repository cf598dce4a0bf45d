# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The template a deploy sends, checked against AWS's rules (aws_rules.py) before the first AWS call: rendered from
the declared tables and the role's settings, or read from a user's file and linted like a rendered one.

Pure: no AWS, no Ansible. Errors are lines naming the variable (or the template's resource) and the fix.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.template_tables import template_table_declarations


def _split(findings):
    errors = [finding for finding in findings if finding["severity"] == "error"]
    warnings = [finding for finding in findings if finding["severity"] == "warning"]
    return format_findings(errors), format_findings(warnings)


def lint_template_body(body, name, name_prefix=""):
    """(errors, warnings) of a template body: size, quotas, resource settings, and its tables through the schema
    lint (read back into the declaration form). name says where the template came from (a file, a variable)."""
    errors = aws_rules.template_size_findings(name, body)
    if errors:
        return errors, []  # not parsed: a template CloudFormation cannot read at all
    try:
        template = parse_template(body)
    except InputError as e:
        return ["%s: %s" % (name, e.message)], []
    errors += aws_rules.template_quota_findings(name, template)
    errors += aws_rules.resource_findings(template)
    declarations, definition_errors, skipped_ = template_table_declarations(template)
    errors += ["%s %s" % (name, line) for line in definition_errors]
    table_errors, warnings = _split(lint_tables(declarations, name_prefix)) if declarations else ([], [])
    errors += table_errors
    warnings += aws_rules.alarm_warnings(template)
    return errors, warnings
