#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudformation_stack_recovery
short_description: Bring a CloudFormation stack to a state a deploy can start from
version_added: 0.1.0
description:
  - Reads the status of a CloudFormation stack and, before a deploy, recovers it from failed or busy states
    according to one table that covers every C(StackStatus) value.
  - C(ROLLBACK_COMPLETE) and C(REVIEW_IN_PROGRESS) stacks hold no resources; they are deleted so that the
    deploy can create them again. Before that, the module checks that no DynamoDB table named in
    O(template_body) already exists outside the stack, because AWS would refuse the create.
  - C(ROLLBACK_FAILED) and C(CREATE_FAILED) stacks may still hold resources; they are deleted only when no
    DynamoDB table of the stack holds items, or when O(allow_delete=true).
  - C(UPDATE_ROLLBACK_FAILED) is recovered with C(ContinueUpdateRollback) and C(UPDATE_FAILED) with
    C(RollbackStack); these stacks hold live data and are never deleted.
  - C(*_IN_PROGRESS) stacks are waited for (first re-check after 1 s, never more than 5 s between polls, at
    most O(wait_timeout) seconds), then the decision is taken again on the settled status.
  - C(DELETE_FAILED) and C(IMPORT_ROLLBACK_FAILED) need a person; the module fails with the reasons and
    changes nothing. Termination protection blocks every delete with a clear error.
  - Healthy stacks (C(CREATE_COMPLETE), C(UPDATE_COMPLETE), C(UPDATE_ROLLBACK_COMPLETE), C(IMPORT_COMPLETE),
    C(IMPORT_ROLLBACK_COMPLETE)) and absent stacks are left alone with one API call.
  - This module never creates or updates a stack; run M(amazon.aws.cloudformation) after it, unless it
    returned RV(deploy=none).
options:
  stack_name:
    description: Name of the CloudFormation stack.
    type: str
    required: true
  template_body:
    description:
      - The template the deploy will apply, JSON or YAML (short-form tags such as C(!Ref) are understood).
      - It is parsed before any AWS call, so a template that is not valid fails early. The literal
        C(TableName) values of its C(AWS::DynamoDB::Table) resources are checked before a create.
    type: str
  tags:
    description:
      - Stack tags the deploy will set. With O(template_body), a settled stack whose template, tags and
        termination protection already match reports RV(deploy=none), so the deploy can be skipped.
      - Not compared when omitted.
    type: dict
  termination_protection:
    description: Termination protection the deploy will set; compared like O(tags). Not compared when omitted.
    type: bool
  stack_policy:
    description:
      - The stack policy the stack should have (a policy document); compared with C(GetStackPolicy) on a settled
        stack, and named C(stack_policy) in RV(differences) when it differs. Not compared when omitted.
      - A differing policy alone leaves RV(deploy=none), since an update does not set a stack policy; set it with
        M(aichef.dynamodb.cloudformation_stack_policy).
    type: dict
  allow_delete:
    description:
      - Consent to delete a failed stack (C(ROLLBACK_FAILED), C(CREATE_FAILED)) whose DynamoDB tables still
        hold items. Without it the module fails and lists those tables.
      - Stacks that hold no data (C(ROLLBACK_COMPLETE), C(REVIEW_IN_PROGRESS), failed stacks with empty
        tables) are deleted without it, as the team's deploy script did.
    type: bool
    default: false
  resources_to_skip:
    description:
      - Logical ids passed as C(ResourcesToSkip) to C(ContinueUpdateRollback) for a stack in
        C(UPDATE_ROLLBACK_FAILED), for resources whose rollback cannot succeed.
    type: list
    elements: str
    default: []
  wait:
    description:
      - Wait for busy stacks to settle and for recovery operations to finish.
      - With O(wait=false) a recovery operation is started and the module returns at once.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait in all before failing. No delete is ever issued because a wait timed out.
    type: int
    default: 1800
notes:
  - Supports check mode; it then reads the stack, reports the planned RV(action) and changes nothing.
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
    region: us-east-1
  register: recovery

- name: Deploy once the stack can take it
  amazon.aws.cloudformation:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    region: us-east-1

- name: Show what recovery would do, without doing it
  aichef.dynamodb.cloudformation_stack_recovery:
    stack_name: ai-chef-dynamodb
    region: us-east-1
  check_mode: true
  register: planned

- name: Report the plan
  ansible.builtin.debug:
    msg: "{{ planned.status_before }} -> {{ planned.action }}"

- name: Continue a stuck rollback, skipping a resource that cannot roll back
  aichef.dynamodb.cloudformation_stack_recovery:
    stack_name: ai-chef-dynamodb
    resources_to_skip:
      - SessionsTableErrorAlarm
    wait_timeout: 900
"""

RETURN = r"""
stack_name:
  description: The stack name.
  returned: always
  type: str
  sample: ai-chef-dynamodb
status_before:
  description: Stack status before the module acted; C(ABSENT) when the stack did not exist.
  returned: always
  type: str
  sample: ROLLBACK_COMPLETE
phase_before:
  description: Phase of RV(status_before) (absent, stable, busy, stuck or dead).
  returned: always
  type: str
  sample: dead
action:
  description:
    - The first recovery action taken (or, in check mode, planned).
    - One of none, wait, delete, delete_if_empty, continue_update_rollback, rollback.
  returned: always
  type: str
  sample: delete
actions:
  description: Every step taken, in order, with the status it started from and the status it reached.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "delete", "status_before": "ROLLBACK_COMPLETE", "status_after": "ABSENT"}]
status_after:
  description: Stack status when the module returned; C(ABSENT) after a delete.
  returned: always
  type: str
  sample: ABSENT
deploy:
  description:
    - What the deploy that follows has to do, C(create), C(update), or C(none) when O(template_body) was given
      and the settled stack already matches it (template, and O(tags)/O(termination_protection) when given).
  returned: always
  type: str
  sample: create
differences:
  description: What differs between the settled stack and the declaration (template, parameters, tags, termination_protection,
    stack_policy).
  returned: always
  type: list
  elements: str
  sample: ["template"]
stack_outputs:
  description: The stack's outputs, keyed by output name, as CloudFormation holds them now.
  returned: always
  type: dict
  sample: {"SessionsTableName": "ai-chef-sessions"}
events:
  description: Events of the stack's last operation (oldest first), plus those seen while waiting.
  returned: always
  type: list
  elements: dict
  sample:
    - timestamp: "2026-11-25T08:26:03+00:00"
      logical_resource_id: AiChefSessionsTable
      resource_type: AWS::DynamoDB::Table
      resource_status: CREATE_FAILED
      resource_status_reason: "Table already exists: ai-chef-sessions"
concurrent_changes:
  description:
    - Logical ids of the resources that another operation (an update or a create someone else started) changed
      while this run waited for it, when it ended well; empty when nothing was waited for.
    - M(aichef.dynamodb.cloudformation_change_plan) refuses a deploy that would change them again, so that a deploy
      never silently reverts another one (O(aichef.dynamodb.cloudformation_change_plan#module:concurrent_changes)).
  returned: always
  type: list
  elements: str
  sample: [AiChefResultsTable]
deploy_needed:
  description: Whether a deploy has to follow (RV(deploy) is not C(none)); the role's conditions read it.
  returned: always
  type: bool
  sample: true
recovers:
  description:
    - Whether recovery acted on the stack (in check mode, would act) before the deploy (RV(action) is not C(none)).
      In check mode the role then shows no preview, since AWS refuses a change set on a stack that has not settled.
  returned: always
  type: bool
  sample: false
stack_policy_differs:
  description: Whether the settled stack's policy differs from O(stack_policy) (C(stack_policy) in RV(differences)).
  returned: always
  type: bool
  sample: false
plan:
  description:
    - When RV(deploy=create) and O(template_body) was given, the plan of the create, read from the template alone, in
      the form M(aichef.dynamodb.cloudformation_change_plan) returns (operation, summary, changes, steps,
      last_event_id, accepted_table_losses, diff), so that a create needs no preview; empty otherwise.
  returned: always
  type: dict
  sample: {"operation": "create", "summary": "Stack ai-chef-dynamodb: create with 9 changes (9 add)"}
failures:
  description: The C(*_FAILED) events of RV(events), the root cause first, as one line each.
  returned: always
  type: list
  elements: str
  sample: ["AiChefSessionsTable AWS::DynamoDB::Table CREATE_FAILED: Table already exists: ai-chef-sessions"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import LazyClient
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import StackRecovery
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import StackRecoveryRefused
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import summary_message
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import UnknownStackStatusError
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template

# The options; tests read the defaults from here, so that no copy of them can drift.
ARGUMENT_SPEC = dict(
    stack_name=dict(type="str", required=True),
    template_body=dict(type="str"),
    tags=dict(type="dict"),
    termination_protection=dict(type="bool"),
    stack_policy=dict(type="dict"),
    allow_delete=dict(type="bool", default=False),
    resources_to_skip=dict(type="list", elements="str", default=[]),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1800),
    **BACKOFF_ARGUMENT_SPEC
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        validate_stack_name(module.params["stack_name"])
        # Parsed once, before any client: a template that does not parse fails here; recovery uses this parse.
        template = parse_template(module.params["template_body"]) if module.params["template_body"] is not None else None
        validate_region(module.region)
        decorator = retry_decorator(module.params)
        recovery = StackRecovery(
            module.client("cloudformation", retry_decorator=decorator),
            LazyClient(lambda: module.client("dynamodb", retry_decorator=decorator)),
            module.params["stack_name"], module.params, module.check_mode, declared_template=template)
        result = recovery.run()
    except UnknownStackStatusError as e:
        module.fail_json(msg=str(e))
    except StackRecoveryRefused as e:
        module.fail_json(msg=e.message, failures=recovery.failure_lines(), events=recovery.events)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(msg=summary_message(result, module.check_mode), **result)


if __name__ == "__main__":
    main()
