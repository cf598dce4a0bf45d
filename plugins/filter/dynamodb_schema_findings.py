# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint as a filter, so a role can check its table declarations before any task talks to AWS."""

DOCUMENTATION = r"""
name: dynamodb_schema_findings
short_description: Lint DynamoDB table declarations before anything reaches AWS
version_added: 0.1.0
author: AI Chef platform team (@aichef)
description:
  - Checks a list of table declarations (the shape of the C(dynamodb_stack_tables) role variable) and returns
    every problem at once, each naming the table and the field, so a playbook can fail before the first AWS call
    instead of one CloudFormation rollback at a time.
  - B(Errors) are designs that CloudFormation or DynamoDB would reject, or that would silently do something else
    than written. They cover input that is not a list of mappings; unknown keys (typos), with a "did you mean"
    suggestion; missing required fields and wrong types; table and index names outside 3-255 characters of
    C([A-Za-z0-9_.-]); duplicate table names, table ids (given or derived from the name) and index names; key
    types other than C(S), C(N), C(B); one attribute with two types across keys and indexes; more than 20 global
    or 5 local secondary indexes; a local index on a table without C(range_key); capacities missing with
    C(PROVISIONED) or given with C(PAY_PER_REQUEST); a TTL attribute that is also a key; C(INCLUDE) projections
    without C(non_key_attributes) (or those attributes with another projection); invalid C(billing_mode),
    C(table_class), C(stream_view_type) and C(projection) values; bad tags; and a bad C(resource_policy).
  - Attribute names that are DynamoDB reserved words (the full official list, compared case-insensitively,
    for example C(status), C(name), C(data), C(timestamp)) are errors too, with the guide's fix, a name
    prefixed with the table's noun (C(status) in C(ai-chef-sessions) becomes C(sessionStatus)). The guide's
    TTL attribute C(TTL) is accepted as the table's C(ttl_attribute).
  - B(Warnings) are attribute names that are not camelCase; the guide's composite-key names C(PK) and C(SK)
    and its TTL attribute C(TTL) are accepted.
  - Pure and local; it calls no AWS API.
positional: _input
options:
  _input:
    description:
      - The table declarations, one mapping per table with C(name), C(hash_key) and the optional fields of
        C(dynamodb_stack_tables).
      - Anything else (a mapping, a string) is itself reported as an error rather than raising.
    type: list
    elements: dict
    required: true
  name_prefix:
    description:
      - Prefix stripped from a table name before its id is derived (C(ai-chef-sessions) gives
        C(SessionsTable)) and before the table's noun is taken for reserved-word suggestions.
    type: str
    default: ai-chef-
seealso:
  - name: Reserved words in DynamoDB
    description: The official list the reserved-word check uses.
    link: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
"""

EXAMPLES = r"""
- name: Lint the table declarations
  ansible.builtin.set_fact:
    __dynamodb_stack_schema: "{{ dynamodb_stack_tables | aichef.dynamodb.dynamodb_schema_findings }}"

- name: Stop before any AWS call when a table declaration is wrong
  ansible.builtin.assert:
    that: __dynamodb_stack_schema.errors | length == 0
    fail_msg: "{{ __dynamodb_stack_schema.errors | join('\n') }}"
    quiet: true

- name: Show naming warnings without failing
  ansible.builtin.debug:
    msg: "{{ __dynamodb_stack_schema.warnings }}"
  when: __dynamodb_stack_schema.warnings | length > 0

- name: Lint tables named without the team prefix
  ansible.builtin.debug:
    msg: "{{ my_tables | aichef.dynamodb.dynamodb_schema_findings(name_prefix='shop-') }}"
"""

RETURN = r"""
_value:
  description: The findings, as printable lines split by severity and as structured data.
  type: dict
  contains:
    errors:
      description: 'One line per error, C(error <table> <field>: <message>); empty when the tables can be deployed.'
      type: list
      elements: str
      sample:
        - >-
          error ai-chef-sessions hash_key.name: Table ai-chef-sessions, hash_key.name: "status" is a DynamoDB
          reserved word, so every expression would need an alias for it; rename it, e.g. sessionStatus.
    warnings:
      description: 'One line per warning, C(warning <table> <field>: <message>).'
      type: list
      elements: str
      sample:
        - >-
          warning ai-chef-results range_key.name: Table ai-chef-results, range_key.name: the attribute name
          "created_at" is not camelCase (the guide names attributes like sessionId and createdAt); rename it,
          e.g. createdAt.
    findings:
      description:
        - Every finding, errors first, then warnings, in input order.
        - C(table) is the table name, or C(#<index>) when the entry has no usable name.
        - C(field) is the dotted path of the field inside the entry, for example
          C(global_secondary_indexes[1].projection).
      type: list
      elements: dict
      sample:
        - severity: error
          table: ai-chef-results
          field: global_secondary_indexes[0].projection
          message: >-
            Table ai-chef-results, global_secondary_indexes[0].projection: "EVERYTHING" is not a valid
            projection; use one of ALL, KEYS_ONLY, INCLUDE.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import ERROR
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import DEFAULT_NAME_PREFIX


def dynamodb_schema_findings(tables, name_prefix=DEFAULT_NAME_PREFIX):
    """Lint tables; errors and warnings as lines for assert/debug, and the findings themselves for anything else."""
    if not isinstance(name_prefix, str):
        raise AnsibleFilterError("dynamodb_schema_findings: name_prefix must be a string, got %s"
                                 % type(name_prefix).__name__)
    findings = lint_tables(tables, name_prefix=name_prefix)
    return dict(
        errors=format_findings([f for f in findings if f["severity"] == ERROR]),
        warnings=format_findings([f for f in findings if f["severity"] != ERROR]),
        findings=findings,
    )


class FilterModule:
    """aichef.dynamodb.dynamodb_schema_findings"""

    def filters(self):
        return {"dynamodb_schema_findings": dynamodb_schema_findings}
