# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a deploy: what an update would change (a change set that is always deleted again), what it must not
change (tables, indexes in place, keys, exports in use, what another operation just changed), and in how many
updates (index steps). A create is planned from the template alone (change_plan.create_plan).

The refusals are pure functions over the change set and the templates (change_plan.py, index_changes.py); this
file reads what they need from AWS. The module cloudformation_change_plan only parses its parameters, calls
plan_change() and exits.
"""

import json
import time


from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
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
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.deploy_plan import stored_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.index_changes import IndexPlan
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
    return dict(operation=operation, changes_stack=operation != "none", summary=summary, changes=changes,
                last_event_id=last_event_id,
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
