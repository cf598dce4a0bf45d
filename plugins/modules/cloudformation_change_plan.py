#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudformation_change_plan
short_description: Preview a stack update and refuse one that would lose a DynamoDB table
version_added: 0.1.0
description:
  - For a stack that exists, creates a throwaway change set from O(template_body), reads every change (action,
    replacement, the properties that cause it), and deletes the change set again, also when it fails.
  - For a stack that does not exist yet, lists the template's resources as additions without any AWS call.
  - Refuses (fails before anything is executed) when a change would replace or remove an
    C(AWS::DynamoDB::Table), including a table whose name or key schema changes, unless the table is named in
    O(allow_table_replacement). Replacement C(Conditional) counts as a replacement.
  - Refuses when the update would drop an export that another stack imports (CloudFormation would fail the
    update halfway and roll it back).
  - Never changes the stack. With C(--diff) the plan is shown as a diff.
options:
  stack_name:
    description: Name of the CloudFormation stack.
    type: str
    required: true
  template_body:
    description: The template the deploy will apply (JSON or YAML).
    type: str
    required: true
  operation:
    description:
      - What the deploy will do, as M(aichef.dynamodb.cloudformation_stack_recovery) returned it in
        RV(aichef.dynamodb.cloudformation_stack_recovery#module:deploy).
      - C(create) lists the template without AWS calls; C(update) previews with a change set; C(none) plans nothing.
    type: str
    choices: [create, update, none]
    required: true
  capabilities:
    description: Capabilities acknowledged by the change set, as the deploy will acknowledge them.
    type: list
    elements: str
    default: [CAPABILITY_IAM]
  tags:
    description: Stack tags the deploy will set.
    type: dict
    default: {}
  differences:
    description:
      - What M(aichef.dynamodb.cloudformation_stack_recovery) found different (its
        RV(aichef.dynamodb.cloudformation_stack_recovery#module:differences)). Stack tags and termination protection
        change no resource, so an empty change set still means an update when they differ.
    type: list
    elements: str
    default: []
  allow_table_replacement:
    description:
      - Tables (logical ids or table names) whose replacement or removal is accepted, with the loss of their items.
    type: list
    elements: str
    default: []
  template_url:
    description:
      - The same template as an S3 object (M(aichef.dynamodb.cloudformation_template_upload)); the change set reads
        it instead of O(template_body), which CloudFormation refuses over 51,200 bytes.
    type: str
    default: ""
  allow_index_recreation:
    description:
      - Global secondary indexes (C(index), C(table:index) or C(logical id:index)) whose key schema or projection may
        change by dropping and re-creating the index in two steps. Any other such change is refused before any write.
    type: list
    elements: str
    default: []
  concurrent_changes:
    description:
      - Resources that another operation changed while the recovery step waited for it
        (RV(aichef.dynamodb.cloudformation_stack_recovery#module:concurrent_changes)). An update that would change or
        remove one of them again is refused, naming them, unless O(allow_concurrent_overwrite) is set.
    type: list
    elements: str
    default: []
  allow_concurrent_overwrite:
    description: Deploy even over the changes of the operation the recovery step waited for.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for CloudFormation to compute the change set.
    type: int
    default: 300
notes:
  - Supports check mode and diff mode. In check mode the preview change set is still created and deleted; it
    changes no resource and is the only way to ask CloudFormation what an update would do.
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Recover stack ai-chef-dynamodb to a deployable state
  aichef.dynamodb.cloudformation_stack_recovery:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
  register: recovery

- name: Preview the update and refuse to lose a table
  aichef.dynamodb.cloudformation_change_plan:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    operation: "{{ recovery.deploy }}"
  register: plan

- name: Show the plan
  ansible.builtin.debug:
    msg: "{{ plan.summary }}"

- name: Accept replacing the sessions table (its items are lost)
  aichef.dynamodb.cloudformation_change_plan:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    operation: update
    allow_table_replacement:
      - ai-chef-sessions
"""

RETURN = r"""
operation:
  description: C(create), C(update), or C(none) when the update would change nothing.
  returned: always
  type: str
  sample: update
changes_stack:
  description: Whether the deploy will change the stack (RV(operation) is not C(none)); the role's conditions read it.
  returned: always
  type: bool
  sample: true
summary:
  description: One line saying what the deploy would do.
  returned: always
  type: str
  sample: "Stack ai-chef-dynamodb: update with 1 change (1 modify)"
changes:
  description: One entry per resource change.
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: Add, Modify, Remove, Import or Dynamic.
      type: str
    logical_resource_id:
      description: Logical id in the template.
      type: str
    physical_resource_id:
      description: Physical id (the table name for a table), when the resource exists.
      type: str
    resource_type:
      description: CloudFormation resource type.
      type: str
    replacement:
      description: True, False or Conditional for a Modify.
      type: str
    properties:
      description: Properties (or attributes) that change.
      type: list
      elements: str
    replacement_causes:
      description: Properties whose change requires recreating the resource.
      type: list
      elements: str
  sample:
    - action: Modify
      logical_resource_id: AiChefResultsTable
      physical_resource_id: ai-chef-results
      resource_type: AWS::DynamoDB::Table
      replacement: "False"
      properties: [GlobalSecondaryIndexes]
      replacement_causes: []
last_event_id:
  description:
    - The newest stack event before the deploy, for
      M(aichef.dynamodb.cloudformation_stack_progress) to tell the deploy's events from history; empty for a create.
  returned: always
  type: str
  sample: "SessionsTableWriteThrottleEventsAlarm-UPDATE_COMPLETE-2026-11-25T09:12:04.118Z"
steps:
  description:
    - The updates the deploy runs, in order. DynamoDB creates or deletes at most one global secondary index per table
      per update, so a declaration that adds or drops several is deployed as a sequence, one index per table per step,
      each step complete (its indexes ACTIVE) before the next; the last step is the declared template.
    - C(template_body) is the JSON template of an intermediate step, empty for the last step (the declared template);
      C(creates) the indexes (C(table:index)) the step creates.
  returned: always
  type: list
  elements: dict
  sample:
    - {number: 1, count: 2, description: "step 1/2: create index a-index on ai-chef-results", template_body: "{...}",
       creates: ["ai-chef-results:a-index"]}
    - {number: 2, count: 2, description: "step 2/2: create index b-index on ai-chef-results", template_body: "",
       creates: ["ai-chef-results:b-index"]}
accepted_table_losses:
  description: Table changes that replace or remove a table, accepted through O(allow_table_replacement).
  returned: always
  type: list
  elements: dict
  sample: []
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.preview import ChangeRefused
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.preview import plan_change
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template

# The options; tests read the defaults from here, so that no copy of them can drift.
ARGUMENT_SPEC = dict(
    stack_name=dict(type="str", required=True),
    template_body=dict(type="str", required=True),
    operation=dict(type="str", required=True, choices=["create", "update", "none"]),
    capabilities=dict(type="list", elements="str", default=["CAPABILITY_IAM"]),
    tags=dict(type="dict", default={}),
    differences=dict(type="list", elements="str", default=[]),
    allow_table_replacement=dict(type="list", elements="str", default=[]),
    template_url=dict(type="str", default=""),
    allow_index_recreation=dict(type="list", elements="str", default=[]),
    concurrent_changes=dict(type="list", elements="str", default=[]),
    allow_concurrent_overwrite=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=300),
    **BACKOFF_ARGUMENT_SPEC
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        validate_stack_name(module.params["stack_name"])
        parse_template(module.params["template_body"])
        validate_region(module.region)
        client = None
        if module.params["operation"] == "update":
            client = module.client("cloudformation", retry_decorator=retry_decorator(module.params))
        result = plan_change(client, module.params)
    except ChangeRefused as e:
        module.fail_json(msg=e.message, changes=e.kwargs.get("changes", []))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    # "changed" says the deploy will change the stack: check mode reports it, and --diff shows the plan only then.
    module.exit_json(changed=result["operation"] != "none", msg=result["summary"], **result)


if __name__ == "__main__":
    main()
