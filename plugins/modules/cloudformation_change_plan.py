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

import json
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import SINGLE_STEP
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import blocked_table_changes
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import create_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import declared_export_names
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import loses_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import normalize_change
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import plan_summary
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import plan_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import replacement_refusal
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import retained_log_groups
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import table_refusal
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_sets import create_change_set
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_sets import delete_change_set
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_sets import is_empty_change_set
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_sets import list_importing_stacks
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_sets import new_change_set_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_sets import wait_for_change_set
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stored_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.index_changes import IndexPlan
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import get_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import list_stack_exports
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template


# Differences that UpdateStack applies without any resource change showing in the change set.
STACK_SETTINGS = ("tags", "termination_protection")


class ChangeRefused(CloudFormationError):
    """The update would lose data or break another stack; nothing was executed."""


def preview_update(client, params, sleep=time.sleep, clock=time.monotonic):
    """The normalized changes of an update, from a change set that is always deleted again; None when CloudFormation
    says the update would change nothing ([] is an update that changes no resource, e.g. only outputs)."""
    change_set_id = create_change_set(client, params["stack_name"], new_change_set_name(), params["template_body"],
                                      params["capabilities"], params["tags"], params.get("template_url"))
    change_set = None
    try:
        change_set = wait_for_change_set(client, change_set_id, params["wait_timeout"], sleep=sleep, clock=clock)
    finally:
        try:
            delete_change_set(client, change_set_id)
        except CloudFormationError:
            if change_set is not None:
                raise
            # else the wait failed: report that, not the clean-up (AWS refuses to delete a change set it is computing)
    if is_empty_change_set(change_set):
        return None
    if change_set.get("Status") != "CREATE_COMPLETE":
        raise CloudFormationError(message="CloudFormation could not compute the update of stack %s: %s" % (
            params["stack_name"], change_set.get("StatusReason") or change_set.get("Status")))
    return [normalize_change(change) for change in change_set["Changes"] if change.get("Type") == "Resource"]


def concurrent_refusals(changes, params):
    """A deploy planned against the state before another operation would silently revert what it just changed."""
    if params.get("allow_concurrent_overwrite"):
        return []
    touched = set(params.get("concurrent_changes") or [])
    again = [change["logical_resource_id"] for change in changes if change["logical_resource_id"] in touched]
    if not again:
        return []
    return ["another operation changed %s while this deploy waited for it, and this deploy would change %s again "
            "(the declaration may predate that change, and the change would be silently reverted). Check that this "
            "declaration is the one to deploy, then re-run, or set dynamodb_stack_allow_concurrent_overwrite: true"
            % (", ".join(sorted(touched)), ", ".join(again))]


def exports_in_use_that_would_go(client, stack, template):
    """(export name, importing stacks) for each export of the stack that the template drops while imported."""
    declared = declared_export_names(template, stack["StackName"], stack["StackId"])
    if declared is None:
        return []  # an export name the template computes at deploy time: CloudFormation itself will refuse
    dropped = [export["Name"] for export in list_stack_exports(client, stack["StackId"])
               if export["Name"] not in declared]
    in_use = [(name, list_importing_stacks(client, name)) for name in dropped]
    return [(name, importers) for name, importers in in_use if importers]


def plan_change(client, params, sleep=time.sleep, clock=time.monotonic):
    template = parse_template(params["template_body"])
    executable = False  # a change set CloudFormation would execute, even one listing no resource change
    last_event_id = ""
    steps = [dict(SINGLE_STEP)]
    if params["operation"] == "create":
        return create_plan(params["stack_name"], template)
    if params["operation"] == "none":
        changes = []
    else:
        stack = describe_stack(client, params["stack_name"])
        if stack is None:
            raise CloudFormationError(message="Stack %s does not exist: nothing to update (was it deleted since "
                                              "the recovery step?)" % params["stack_name"])
        index_plan = IndexPlan(stored_template(get_template(client, params["stack_name"])), template,
                               params.get("allow_index_recreation"))
        refusals = index_plan.refusals + [
            replacement_refusal(logical_id, name, why, params["stack_name"])
            for logical_id, name, why in index_plan.replacements
            if not set(params["allow_table_replacement"]) & set([logical_id, name])]
        if refusals:
            raise ChangeRefused(message="Refusing to update stack %s: %s. Nothing was sent to CloudFormation." % (
                params["stack_name"], "; ".join(refusals)), changes=[])
        steps = index_steps(index_plan)
        changes = preview_update(client, params, sleep=sleep, clock=clock)
        executable, changes = changes is not None, changes or []
        refusals = [table_refusal(change, params["stack_name"])
                    for change in blocked_table_changes(changes, params["allow_table_replacement"])]
        refusals += concurrent_refusals(changes, params)
        refusals += ["export %s is imported by stack(s) %s and the template no longer declares it; the update would "
                     "fail and roll back. Move those stacks off the export first" % (name, ", ".join(importers))
                     for name, importers in exports_in_use_that_would_go(client, stack, template)]
        if refusals:
            raise ChangeRefused(message="Refusing to update stack %s: %s. Nothing was executed." % (
                params["stack_name"], "; ".join(refusals)), changes=changes)
    stack_settings = [name for name in params["differences"] if name in STACK_SETTINGS]
    operation = params["operation"] if changes or stack_settings or executable else "none"
    if operation == "update":  # the deploy's progress is read from the event after this one
        newest = describe_stack_events(client, params["stack_name"])
        last_event_id = newest[0]["event_id"] if newest else ""
    summary = plan_summary(params["stack_name"], operation, changes)
    kept = retained_log_groups(changes)
    if kept:
        summary += "; %s" % kept
    if stack_settings:
        summary += "; stack settings: %s" % ", ".join(stack_settings)
    if len(steps) > 1 and operation != "none":
        summary += "; in %d updates (one index per table per update): %s" % (
            len(steps), "; ".join(step["description"] for step in steps))
    return dict(operation=operation, summary=summary, changes=changes, last_event_id=last_event_id,
                steps=steps if operation != "none" else [],
                accepted_table_losses=[change for change in changes if loses_table(change)],
                diff=dict(prepared=plan_text(summary, changes) + "".join(
                    "  %s\n" % step["description"] for step in steps if len(steps) > 1 and operation != "none")))


def index_steps(index_plan):
    """The plan's updates: intermediate templates as JSON text (the deploy sends them as they are), then the
    declared template. default=str: YAML reads an unquoted date (AWSTemplateFormatVersion: 2010-09-09) as a date."""
    descriptions = index_plan.step_descriptions()
    return [dict(number=step, count=index_plan.step_count, description=descriptions[step - 1],
                 creates=["%s:%s" % (table_name, index_name) for table_name, operation, index_name
                          in index_plan.step_operations(step) if operation == "create"],
                 template_body=json.dumps(index_plan.step_template(step), sort_keys=False, default=str)
                 if step < index_plan.step_count else "")
            for step in range(1, index_plan.step_count + 1)]


def main():
    argument_spec = dict(
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
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
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
