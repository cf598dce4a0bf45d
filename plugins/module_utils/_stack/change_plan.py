# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions over a change set: what each change does, which of them lose a table, the plan as text."""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import resolution_context
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve


# Replacement "Conditional" means CloudFormation cannot tell before running; for a table holding data that is
# as bad as "True" (and the emulator reports a key change as Conditional where AWS says True).
REPLACING = frozenset(["True", "Conditional"])
RECREATING = frozenset(["Always", "Conditionally"])
SYMBOLS = {"Add": "+", "Modify": "~", "Remove": "-", "Import": "<", "Dynamic": "?"}


def normalize_change(change):
    """A ResourceChange as snake_case data, with the properties that cause a replacement named."""
    resource = change.get("ResourceChange") or {}
    details = resource.get("Details") or []
    properties = []
    recreating = []
    for detail in details:
        target = detail.get("Target") or {}
        name = target.get("Name") or target.get("Attribute")
        if name and name not in properties:
            properties.append(name)
        if target.get("RequiresRecreation") in RECREATING and name not in recreating:
            recreating.append(name)
    return dict(
        action=resource.get("Action"),
        logical_resource_id=resource.get("LogicalResourceId"),
        physical_resource_id=resource.get("PhysicalResourceId"),
        resource_type=resource.get("ResourceType"),
        replacement=resource.get("Replacement"),
        properties=properties,
        replacement_causes=recreating,
    )


def loses_table(change):
    return change["resource_type"] == DYNAMODB_TABLE and (
        change["action"] == "Remove" or (change["action"] == "Modify" and change["replacement"] in REPLACING))


def blocked_table_changes(changes, allowed):
    """Changes that would replace or remove a table not named (by logical id or table name) in allowed."""
    allowed = set(allowed or [])
    return [change for change in changes if loses_table(change)
            and not allowed & set([change["logical_resource_id"], change["physical_resource_id"]])]


def table_refusal(change, stack_name):
    what = "REMOVED from" if change["action"] == "Remove" else "REPLACED (Replacement: %s) in" % change["replacement"]
    causes = change["replacement_causes"] or change["properties"]
    cause = " because %s changed" % ", ".join(causes) if causes and change["action"] != "Remove" else (
        ": its logical id left the template or was renamed" if change["action"] == "Remove" else "")
    name = change["physical_resource_id"] or change["logical_resource_id"]
    return ("table %s (%s) would be %s stack %s%s, and its items would be lost or left outside the stack. "
            "Safe path: declare a new table, copy the items (playbooks/migrate-dynamodb-table.yml), then remove "
            "the old one. To accept the loss, name it in dynamodb_stack_allow_table_replacement: [%s]" % (
                name, change["logical_resource_id"], what, stack_name, cause, name))


def replacement_refusal(logical_id, name, why, stack_name):
    """A table replacement that the change set does not show (a key attribute's type change says Replacement
    False there, and the update then fails) but that CloudFormation would have to do."""
    return ("table %s (%s) would be REPLACED in stack %s because %s, and its items would be lost or left outside the "
            "stack. Safe path: declare a new table with the new key, copy the items (playbooks/migrate-dynamodb-"
            "table.yml), then remove the old one. To accept the loss, name it in dynamodb_stack_allow_table_"
            "replacement: [%s]" % (name, logical_id, stack_name, why, name))


def declared_export_names(template, stack_name, stack_id):
    """Export names the template declares, resolved for this stack; None when one cannot be resolved."""
    context = resolution_context(dict(stack=dict(stack_name=stack_name, stack_id=stack_id)))
    names = []
    for output in (template.get("Outputs") or {}).values():
        export = (output or {}).get("Export") if isinstance(output, dict) else None
        if not export:
            continue
        name, unresolved = try_resolve(export.get("Name"), context)
        if unresolved:
            return None
        names.append(name)
    return names


def change_line(change):
    line = "%s %-7s %s (%s)" % (SYMBOLS.get(change["action"], "?"), change["action"], change["logical_resource_id"],
                                change["resource_type"])
    if change["action"] == "Modify":
        line += " replacement: %s" % change["replacement"]
    if change["properties"]:
        line += " [%s]" % ", ".join(change["properties"])
    if loses_table(change):
        line += "  <-- the table's items would be lost"
    return line


def retained_log_groups(changes):
    """What happens to a log group that a change replaces (a rename) or removes: its DeletionPolicy and
    UpdateReplacePolicy Retain keep the old group and its events outside the stack; said, so nobody looks for them
    in vain, and nobody thinks they were deleted. "" when no log group goes."""
    gone = [change["physical_resource_id"] or change["logical_resource_id"] for change in changes
            if change["resource_type"] == LOGS_LOG_GROUP and (
                change["action"] == "Remove" or (change["action"] == "Modify" and change["replacement"] in REPLACING))]
    if not gone:
        return ""
    return ("log group %s leaves the stack: it is retained with its events (delete it by hand once it is no longer "
            "needed)" % ", ".join(gone))


def template_additions(template):
    """A create adds every resource of the template; listed without asking AWS."""
    return [dict(action="Add", logical_resource_id=logical_id, physical_resource_id=None,
                 resource_type=(resource or {}).get("Type"), replacement=None, properties=[], replacement_causes=[])
            for logical_id, resource in template["Resources"].items()]


def plan_summary(stack_name, operation, changes):
    if operation == "none":
        return "Stack %s: nothing to change" % stack_name
    counts = {}
    for change in changes:
        counts[change["action"]] = counts.get(change["action"], 0) + 1
    detail = ", ".join("%d %s" % (count, action.lower()) for action, count in sorted(counts.items()))
    return "Stack %s: %s with %d change%s%s" % (stack_name, operation, len(changes), "" if len(changes) == 1 else "s",
                                                " (%s)" % detail if detail else "")


def plan_text(summary, changes):
    return "\n".join([summary] + [change_line(change) for change in changes]) + "\n"


# The declared template in one update: every plan has at least this step (index_changes.IndexPlan adds others).
SINGLE_STEP = dict(number=1, count=1, description="step 1/1: the declared template", template_body="", creates=[])


def create_plan(stack_name, template):
    """The plan of a create, from the template alone (nothing to compare, nothing to guard: no AWS call). The
    recovery module returns it, so that a create needs no preview module run; the change-plan module returns the
    same for operation=create."""
    changes = template_additions(template)
    summary = plan_summary(stack_name, "create", changes)
    return dict(operation="create", changes_stack=True, summary=summary, changes=changes, last_event_id="", steps=[dict(SINGLE_STEP)],
                accepted_table_losses=[], diff=dict(prepared=plan_text(summary, changes)))
