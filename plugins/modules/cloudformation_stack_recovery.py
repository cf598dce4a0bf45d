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

import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import status as table
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import create_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import LazyClient
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stack_differences
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stored_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import failures_root_cause_first
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import format_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import is_stack_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import resource_failures_since
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import UnknownStackStatusError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import continue_update_rollback
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import delete_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_last_operation_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import get_stack_policy
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import get_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import list_stack_resources
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import rollback_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import stack_status
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import table_holds_items
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import declared_table_names
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import StackWaitTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import wait_until_settled

# A recovery is at most: wait, act, wait, act (e.g. UPDATE_ROLLBACK_IN_PROGRESS -> UPDATE_ROLLBACK_FAILED ->
# continue -> UPDATE_ROLLBACK_COMPLETE). More steps than this means the stack keeps failing: stop and say so.
MAX_RECOVERY_STEPS = 6
STACK_POLICY = "stack_policy"  # the name of a differing stack policy in the differences
DYNAMODB_TABLE_TYPE = "AWS::DynamoDB::Table"
# Deletion policies under which DeleteStack leaves a table behind (RetainExceptOnCreate deletes only during the
# rollback of the create that made the table, never on DeleteStack).
RETAINING_DELETION_POLICIES = frozenset(["Retain", "RetainExceptOnCreate", "Snapshot"])


class StackRecoveryRefused(CloudFormationError):
    """Recovery would lose data or needs a person; refused before any further change."""


class StackRecovery:
    """One recovery run: the clients, the options, and what has been seen and done so far."""

    def __init__(self, cloudformation, dynamodb, stack_name, options, check_mode, sleep=time.sleep,
                 clock=time.monotonic):
        self.cloudformation = cloudformation
        self.dynamodb = dynamodb
        self.stack_name = stack_name
        self.options = options
        self.check_mode = check_mode
        self.sleep = sleep
        self.clock = clock
        self.deadline = None
        self.stack = None
        self.events = []
        self.actions = []
        self.tables_checked = False

    # --- reading -------------------------------------------------------------------------------------------
    def read_stack(self):
        self.stack = describe_stack(self.cloudformation, self.stack_name)
        return stack_status(self.stack)

    def collect_new_events(self, _status=None):
        """Add events newer than the newest seen (oldest first): what a person watching would want to see.

        The page also holds older history; on the first poll only the running operation is kept, after that
        only what follows the newest event seen (older events would break the order and could be taken for
        the root cause)."""
        if not self.events:
            self.events = describe_last_operation_events(self.cloudformation, self.stack_name)
            return
        seen = set(event["event_id"] for event in self.events)
        newest_first = describe_stack_events(self.cloudformation, self.stack_name,
                                             stop_at=lambda event: event["event_id"] in seen)
        new = []
        for event in newest_first:
            if event["event_id"] in seen:
                break
            new.append(event)
        self.events.extend(reversed(new))

    def failure_lines(self):
        return [format_event(event) for event in failures_root_cause_first(self.events, self.stack_name)]

    def concurrent_changes(self, status):
        """Logical ids that another operation changed while this run waited for it to end well (an update or a
        create someone else started): the plan refuses to silently change them back."""
        waited = any(step["action"] == table.WAIT for step in self.actions)
        if not waited or self.check_mode or status not in ("UPDATE_COMPLETE", "CREATE_COMPLETE"):
            return []
        self.collect_new_events()  # the operation's last events can follow the last busy poll: read them now
        return sorted(set(event["logical_resource_id"] for event in self.events
                          if not is_stack_event(event, self.stack_name)
                          and (event["resource_status"] or "").endswith("_COMPLETE")))

    # --- checks before acting ------------------------------------------------------------------------------
    def started_actions(self):
        """Mutating actions already started in this run (none in check mode)."""
        if self.check_mode:
            return []
        return [step["action"] for step in self.actions if step["action"] in table.MUTATING_ACTIONS]

    def refuse(self, status, reason):
        failures = self.failure_lines()
        cause = (" Root cause: %s." % failures[0]) if failures else ""
        started = self.started_actions()
        done = ("Already done in this run: %s; nothing else was changed." % " -> ".join(started)
                if started else "Nothing was changed.")
        raise StackRecoveryRefused(message="Stack %s is %s: %s.%s %s" % (
            self.stack_name, status, reason, cause, done))

    def ensure_not_termination_protected(self, status):
        if self.stack and self.stack.get("EnableTerminationProtection"):
            self.refuse(status, "it must be deleted before it can be created again, but termination protection "
                                "is on; turn it off (update-termination-protection --no-enable-termination-"
                                "protection) once you have checked the stack, then re-run")

    def ensure_no_table_outside_stack(self, status):
        """Before a create: a table of the template that already exists would make AWS refuse the create
        (and the emulator silently adopt it). Name it instead of failing halfway."""
        if self.tables_checked or not self.options["template_body"]:
            return
        self.tables_checked = True
        names = declared_table_names(parse_template(self.options["template_body"]))
        existing = [name for name in names if describe_table(self.dynamodb, name) is not None]
        if existing:
            self.refuse(status, "the stack must be created, but table(s) %s already exist outside it (kept by a "
                                "Retain policy after a failed create?). AWS refuses to create a table whose name "
                                "exists: back up and delete it, or import it into the stack" % ", ".join(existing))

    def live_stack_tables(self):
        """{logical id: table name} of the stack's tables that still exist."""
        return dict((resource["LogicalResourceId"], resource["PhysicalResourceId"])
                    for resource in list_stack_resources(self.cloudformation, self.stack_name)
                    if resource.get("ResourceType") == DYNAMODB_TABLE_TYPE and resource.get("PhysicalResourceId")
                    and resource.get("ResourceStatus") != "DELETE_COMPLETE")

    def tables_kept_by_delete(self, live_tables):
        """Names of live tables whose deletion policy makes DeleteStack leave them outside any stack."""
        if not live_tables:
            return []
        resources = stored_template(get_template(self.cloudformation, self.stack_name)).get("Resources") or {}
        return [name for logical_id, name in live_tables.items()
                if (resources.get(logical_id) or {}).get("DeletionPolicy") in RETAINING_DELETION_POLICIES]

    def check_preconditions(self, status, row):
        if row.action == table.FAIL:
            self.refuse(status, row.meaning)
        if row.action == table.DELETE:
            self.ensure_not_termination_protected(status)
            self.ensure_no_table_outside_stack(status)
        if row.action == table.DELETE_IF_EMPTY:
            self.ensure_not_termination_protected(status)
            live_tables = self.live_stack_tables()
            kept = self.tables_kept_by_delete(live_tables)
            if kept:
                self.refuse(status, "it must be deleted before it can be created again, but its table(s) %s have a "
                                    "deletion policy that keeps them on delete: they would be left outside any stack "
                                    "and the create would collide with them. Back them up, then delete them by hand "
                                    "or import them into the stack" % ", ".join(kept))
            holding = [name for name in live_tables.values() if table_holds_items(self.dynamodb, name)]
            if holding and not self.options["allow_delete"]:
                self.refuse(status, "it must be deleted before it can be created again, but table(s) %s still "
                                    "hold items; back them up, then re-run with allow_delete=true "
                                    "(role: dynamodb_stack_allow_delete: true)" % ", ".join(holding))

    def differences_from_declaration(self):
        """What a deploy would change on the settled stack; ["template"] when there is no template to compare."""
        if not self.options["template_body"] or self.stack is None:
            return ["template"]
        differences = stack_differences(self.stack, get_template(self.cloudformation, self.stack_name),
                                        self.options["template_body"], self.options["tags"],
                                        self.options["termination_protection"])
        declared_policy = self.options["stack_policy"]
        if declared_policy is not None and get_stack_policy(self.cloudformation, self.stack_name) != declared_policy:
            differences.append(STACK_POLICY)
        return differences

    def refuse_failed_rollback(self, status):
        """A rollback that failed again fails the same way on every retry (and each takes minutes on AWS):
        name what it tripped over and how to get past it."""
        self.events = describe_last_operation_events(self.cloudformation, self.stack_name)
        tripped = resource_failures_since(self.events, self.stack_name, "UPDATE_ROLLBACK_IN_PROGRESS")
        blockers = sorted(set(event["logical_resource_id"] for event in tripped))
        self.refuse(status, "the rollback failed again (%s). Fix those resources by hand, or re-run with "
                            "resources_to_skip: [%s] (role: dynamodb_stack_resources_to_skip) to leave them as "
                            "they are" % ("; ".join(format_event(event) for event in tripped) or "no resource event",
                                          ", ".join(blockers)))

    # --- acting --------------------------------------------------------------------------------------------
    def start_action(self, action):
        if action in (table.DELETE, table.DELETE_IF_EMPTY):
            delete_stack(self.cloudformation, self.stack_name)
        elif action == table.CONTINUE_UPDATE_ROLLBACK:
            continue_update_rollback(self.cloudformation, self.stack_name, self.options["resources_to_skip"])
        elif action == table.ROLLBACK:
            rollback_stack(self.cloudformation, self.stack_name)

    def wait(self, status):
        remaining = self.deadline - self.clock()
        try:
            return wait_until_settled(self.read_stack, remaining, on_poll=self.collect_new_events,
                                      sleep=self.sleep, clock=self.clock)
        except StackWaitTimeout as e:
            deleting = set(self.started_actions()) & set([table.DELETE, table.DELETE_IF_EMPTY])
            done = "The delete was issued before the wait and goes on" if deleting else "No delete was issued"
            raise CloudFormationError(message="Stack %s did not settle within wait_timeout=%ds: %s. %s; re-run once "
                                              "the running operation has finished" % (
                                                  self.stack_name, self.options["wait_timeout"], e, done))

    def run(self):
        self.deadline = self.clock() + self.options["wait_timeout"]
        status = self.read_stack()
        status_before = status
        row_before = table.lookup_stack_status(status)
        if row_before.phase in (table.DEAD, table.STUCK):
            self.events = describe_last_operation_events(self.cloudformation, self.stack_name)
        for dummy in range(MAX_RECOVERY_STEPS):
            row = table.lookup_stack_status(status)
            if row.action == table.NONE:
                break
            self.check_preconditions(status, row)
            step = dict(action=row.action, status_before=status, status_after=status)
            self.actions.append(step)
            if self.check_mode or (row.action == table.WAIT and not self.options["wait"]):
                break
            self.start_action(row.action)
            if not self.options["wait"]:
                status = step["status_after"] = self.read_stack()
                break
            status = step["status_after"] = self.wait(status)
            if row.action in (table.CONTINUE_UPDATE_ROLLBACK, table.ROLLBACK) and status == step["status_before"]:
                self.refuse_failed_rollback(status)
        else:
            raise CloudFormationError(message="Stack %s is still %s after %d recovery steps (%s); stopping so a person "
                                              "can look" % (self.stack_name, status, MAX_RECOVERY_STEPS,
                                                            " -> ".join(a["action"] for a in self.actions)))
        if table.lookup_stack_status(status).phase == table.ABSENT:
            self.ensure_no_table_outside_stack(status)
        deploy = planned_deploy(status, self.actions, self.check_mode)
        # Only a settled, healthy stack stores the template it runs: a failed or busy one may hold the template
        # of the update that failed, which would read as "nothing to deploy".
        settled = table.lookup_stack_status(status).phase == table.STABLE
        if deploy == "create":
            differences = []
        else:
            differences = self.differences_from_declaration() if settled else ["status"]
        if deploy == "update" and not [name for name in differences if name != STACK_POLICY]:
            deploy = "none"  # a stack policy is set by its own call (SetStackPolicy), not by an update
        concurrent_changes = self.concurrent_changes(status)  # first: it reads the waited operation's last events
        return dict(
            stack_name=self.stack_name,
            status_before=status_before,
            phase_before=row_before.phase,
            status_after=status,
            action=self.actions[0]["action"] if self.actions else table.NONE,
            actions=self.actions,
            deploy=deploy,
            differences=differences,
            stack_outputs=dict((output["OutputKey"], output.get("OutputValue"))
                               for output in (self.stack or {}).get("Outputs", [])),
            events=self.events,
            concurrent_changes=concurrent_changes,
            stack_policy_differs=STACK_POLICY in differences,
            # A create needs no preview (nothing to compare or guard): its plan is read from the template here, so
            # the role runs no change-plan module for it.
            plan=create_plan(self.stack_name, parse_template(self.options["template_body"]))
            if deploy == "create" and self.options["template_body"] else {},
            failures=self.failure_lines(),
            changed=any(step["action"] in table.MUTATING_ACTIONS for step in self.actions),
        )


def planned_deploy(status_after, actions, check_mode):
    """create when the stack is (or, in check mode, would be) gone; update otherwise."""
    if table.lookup_stack_status(status_after).phase == table.ABSENT:
        return "create"
    if check_mode and actions and actions[-1]["action"] in (table.DELETE, table.DELETE_IF_EMPTY):
        return "create"
    return "update"


def summary_message(result, check_mode):
    if result["action"] == table.NONE and result["deploy"] == "none":
        return "Stack %s is %s and matches the declaration: nothing to deploy" % (
            result["stack_name"], result["status_after"])
    if result["action"] == table.NONE:
        return "Stack %s is %s: nothing to recover; the deploy will %s it" % (
            result["stack_name"], result["status_after"], result["deploy"])
    steps = " -> ".join(step["action"] for step in result["actions"])
    if check_mode:
        return "Stack %s is %s: would %s, then %s it" % (
            result["stack_name"], result["status_before"], steps, result["deploy"])
    return "Stack %s recovered from %s by %s; now %s, the deploy will %s it" % (
        result["stack_name"], result["status_before"], steps, result["status_after"], result["deploy"])


def main():
    argument_spec = dict(
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
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        validate_stack_name(module.params["stack_name"])
        if module.params["template_body"] is not None:
            parse_template(module.params["template_body"])
        validate_region(module.region)
        decorator = retry_decorator(module.params)
        recovery = StackRecovery(
            module.client("cloudformation", retry_decorator=decorator),
            LazyClient(lambda: module.client("dynamodb", retry_decorator=decorator)),
            module.params["stack_name"], module.params, module.check_mode)
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
