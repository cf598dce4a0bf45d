# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring a stack to a state a deploy can start from, and decide what the deploy has to do.

The decisions are data and pure functions: the status table (status.py) says what each StackStatus needs,
planned_deploy() what follows a recovery, stack_differences() (deploy_plan.py) whether a settled stack already
matches, change_plan.create_plan() the plan of a create. StackRecovery carries them out on the clients it is
given, one step at a time, and returns booleans and names that the role's conditions read as they are; the module
cloudformation_stack_recovery only parses its parameters, runs it and exits.
"""

import time


from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import describe_table
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import table_holds_items
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import status as table
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.change_plan import create_plan
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stack_differences
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stored_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import failures_root_cause_first
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import format_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import is_stack_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import resource_failures_since
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import continue_update_rollback
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import delete_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_last_operation_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import get_stack_policy
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import get_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import list_stack_resources
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import rollback_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import stack_status
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import StackWaitTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import wait_until_settled
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import declared_table_names
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template


# A recovery is at most: wait, act, wait, act (e.g. UPDATE_ROLLBACK_IN_PROGRESS -> UPDATE_ROLLBACK_FAILED ->
# continue -> UPDATE_ROLLBACK_COMPLETE). More steps than this means the stack keeps failing: stop and say so.
MAX_RECOVERY_STEPS = 6
STACK_POLICY = "stack_policy"  # the name of a differing stack policy in the differences
# Deletion policies under which DeleteStack leaves a table behind (RetainExceptOnCreate deletes only during the
# rollback of the create that made the table, never on DeleteStack).
RETAINING_DELETION_POLICIES = frozenset(["Retain", "RetainExceptOnCreate", "Snapshot"])


class StackRecoveryRefused(CloudFormationError):
    """Recovery would lose data or needs a person; refused before any further change."""


class StackRecovery:
    """One recovery run: the clients, the options, and what has been seen and done so far."""

    def __init__(self, cloudformation, dynamodb, stack_name, options, check_mode, sleep=time.sleep,
                 clock=time.monotonic, declared_template=None):
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
        self._declared_template = declared_template

    def declared_template(self):
        """template_body parsed, once (None without one); the module hands over its own parse."""
        if self._declared_template is None and self.options["template_body"]:
            self._declared_template = parse_template(self.options["template_body"])
        return self._declared_template

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
        names = declared_table_names(self.declared_template())
        existing = [name for name in names if describe_table(self.dynamodb, name) is not None]
        if existing:
            self.refuse(status, "the stack must be created, but table(s) %s already exist outside it (kept by a "
                                "Retain policy after a failed create?). AWS refuses to create a table whose name "
                                "exists: back up and delete it, or import it into the stack" % ", ".join(existing))

    def live_stack_tables(self):
        """{logical id: table name} of the stack's tables that still exist."""
        return dict((resource["LogicalResourceId"], resource["PhysicalResourceId"])
                    for resource in list_stack_resources(self.cloudformation, self.stack_name)
                    if resource.get("ResourceType") == DYNAMODB_TABLE and resource.get("PhysicalResourceId")
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
                                        self.options["termination_protection"], desired_template=self.declared_template())
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
            # Booleans for the role's conditions, so that its YAML compares no strings.
            deploy_needed=deploy != "none",
            recovers=bool(self.actions),
            stack_policy_differs=STACK_POLICY in differences,
            # A create needs no preview (nothing to compare or guard): its plan is read from the template here, so
            # the role runs no change-plan module for it.
            plan=create_plan(self.stack_name, self.declared_template())
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
