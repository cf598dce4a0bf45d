# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: dynamodb_cfn_template
short_description: Render the CloudFormation template of a DynamoDB stack from table declarations
version_added: 0.1.0
description:
  - Turns a list of table declarations (the role variable C(dynamodb_stack_tables)) into a hardened
    CloudFormation template, as YAML text.
  - Per table, the table (C(DeletionPolicy=RetainExceptOnCreate), C(UpdateReplacePolicy=Retain), deletion
    protection, SSE, point-in-time recovery unless turned off, attribute definitions derived from the keys),
    its alarms, and its outputs exported as C(<stack>-<Id>) and C(<stack>-<Id>Arn); once, the log group.
  - Runs the schema lint of P(aichef.dynamodb.dynamodb_schema_findings#filter) first; any error fails the filter
    with every finding, one per line, before anything is rendered; warnings are displayed.
positional: _input, settings
options:
  _input:
    description: The table declarations.
    type: list
    elements: dict
    required: true
  settings:
    description:
      - Stack-wide settings, all optional; keys C(description), C(name_prefix), C(alarm_name_prefix),
        C(alarms), C(alarm_period), C(alarm_evaluation_periods), C(alarm_topic_arn), C(log_group_name),
        C(log_retention_days), C(table_tags).
    type: dict
    default: {}
author:
  - AI Chef platform team (@aichef)
"""

EXAMPLES = r"""
- name: Render the template of two tables
  ansible.builtin.set_fact:
    template_body: "{{ tables | aichef.dynamodb.dynamodb_cfn_template({'table_tags': {'Service': 'ai-chef'}}) }}"
  vars:
    tables:
      - name: ai-chef-sessions
        hash_key: {name: sessionId, type: S}
        ttl_attribute: TTL
      - name: ai-chef-results
        hash_key: {name: resultId, type: S}
        global_secondary_indexes:
          - name: sessionId-index
            hash_key: {name: sessionId, type: S}
"""

RETURN = r"""
_value:
  description: The CloudFormation template, as YAML text.
  type: str
"""

import json

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import DEFAULT_SETTINGS
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import stack_settings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables


def plain_data(value):
    """ansible-core 2.19 hands filters tagged str/dict/list subclasses, which yaml.safe_dump refuses to represent;
    a JSON round trip yields the plain types the renderer works on."""
    return json.loads(json.dumps(value))


def dynamodb_cfn_template(tables, settings=None):
    tables, settings = plain_data(tables), plain_data(settings or {})
    # Lint and render in one filter, one task: the no-op deploy pays for every task it runs.
    findings = lint_tables(tables, settings.get("name_prefix", DEFAULT_SETTINGS["name_prefix"]))
    errors = format_findings([finding for finding in findings if finding["severity"] == "error"])
    errors += aws_rules.render_settings_findings(stack_settings(settings), "settings.")
    if errors:
        raise AnsibleFilterError("the tables or settings break %d rule(s); nothing was sent to AWS:\n%s"
                                 % (len(errors), "\n".join(errors)))
    for line in format_findings([finding for finding in findings if finding["severity"] == "warning"]):
        Display().warning(line)
    try:
        return render_template_body(tables, settings)
    except (KeyError, TypeError, ValueError) as e:
        raise AnsibleFilterError("dynamodb_cfn_template: cannot render these tables: %s" % e)


class FilterModule:
    def filters(self):
        return {"dynamodb_cfn_template": dynamodb_cfn_template}
