# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin wrappers for a throwaway change set: create it, wait for it, read it, delete it."""

import time
import uuid

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_code
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import PollTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_until

# How CloudFormation says "this change set would change nothing" (a FAILED change set, not an error).
NO_CHANGE_REASONS = ("didn't contain changes", "No updates are to be performed")


def new_change_set_name():
    return "aichef-plan-%s" % uuid.uuid4().hex[:12]


def create_change_set(client, stack_name, change_set_name, template_body, capabilities, tags, template_url=None):
    """template_url (an S3 object) instead of the body: CloudFormation refuses a TemplateBody over 51,200 bytes."""
    kwargs = dict(StackName=stack_name, ChangeSetName=change_set_name, ChangeSetType="UPDATE",
                  Capabilities=list(capabilities), Description="Preview by aichef.dynamodb; deleted once read")
    if template_url:
        kwargs["TemplateURL"] = template_url
    else:
        kwargs["TemplateBody"] = template_body
    if tags:
        kwargs["Tags"] = [dict(Key=str(key), Value=str(value)) for key, value in tags.items()]
    return call(client.create_change_set, CloudFormationError,
                "Failed to create a change set to preview stack %s" % stack_name, **kwargs)["Id"]


def describe_change_set(client, change_set_id):
    """The change set with the Changes of every page."""
    changes = []
    for response in pages(client.describe_change_set, CloudFormationError,
                          "Failed to read change set %s" % change_set_id, ChangeSetName=change_set_id):
        changes.extend(response.get("Changes", []))
    response["Changes"] = changes
    return response


def wait_for_change_set(client, change_set_id, timeout, sleep=time.sleep, clock=time.monotonic):
    """The change set once CloudFormation has computed it (Status CREATE_COMPLETE or FAILED)."""
    try:
        return poll_until(lambda: describe_change_set(client, change_set_id),
                          lambda change_set: change_set.get("Status") not in ("CREATE_PENDING", "CREATE_IN_PROGRESS"),
                          timeout, sleep=sleep, clock=clock)
    except PollTimeout as e:
        raise CloudFormationError(message="Change set %s still %s after %d s" % (
            change_set_id, e.value["Status"], timeout)) from None


def is_empty_change_set(change_set):
    reason = change_set.get("StatusReason") or ""
    return change_set.get("Status") == "FAILED" and any(marker in reason for marker in NO_CHANGE_REASONS)


def delete_change_set(client, change_set_id):
    call(client.delete_change_set, CloudFormationError, "Failed to delete preview change set %s" % change_set_id,
         absent=error_code("ChangeSetNotFound"), ChangeSetName=change_set_id)


def list_importing_stacks(client, export_name):
    """Names of the stacks that import export_name ([] when none does)."""
    stacks = []
    # CloudFormation answers "Export 'x' is not imported by any stack." with a ValidationError.
    for response in pages(client.list_imports, CloudFormationError, "Failed to list the imports of export %s" % export_name,
                          absent=error_code("ValidationError"), ExportName=export_name):
        stacks.extend(response.get("Imports", []))
    return stacks
