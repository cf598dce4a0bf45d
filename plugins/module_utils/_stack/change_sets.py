# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin wrappers for a throwaway change set: create it, wait for it, read it, delete it."""

import time
import uuid

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing SDK

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.waiters import poll_delays

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
    try:
        return client.create_change_set(aws_retry=True, **kwargs)["Id"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        raise CloudFormationError(message="Failed to create a change set to preview stack %s" % stack_name,
                                  exception=e)


def describe_change_set(client, change_set_id):
    """The change set with the Changes of every page."""
    changes = []
    kwargs = dict(ChangeSetName=change_set_id)
    try:
        while True:
            response = client.describe_change_set(aws_retry=True, **kwargs)
            changes.extend(response.get("Changes", []))
            if not response.get("NextToken"):
                response["Changes"] = changes
                return response
            kwargs["NextToken"] = response["NextToken"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        raise CloudFormationError(message="Failed to read change set %s" % change_set_id, exception=e)


def wait_for_change_set(client, change_set_id, timeout, sleep=time.sleep, clock=time.monotonic):
    """The change set once CloudFormation has computed it (Status CREATE_COMPLETE or FAILED)."""
    deadline = clock() + timeout
    delays = poll_delays()
    change_set = describe_change_set(client, change_set_id)
    while change_set.get("Status") in ("CREATE_PENDING", "CREATE_IN_PROGRESS"):
        remaining = deadline - clock()
        if remaining <= 0:
            raise CloudFormationError(message="Change set %s still %s after %d s" % (
                change_set_id, change_set["Status"], timeout))
        sleep(min(next(delays), remaining))
        change_set = describe_change_set(client, change_set_id)
    return change_set


def is_empty_change_set(change_set):
    reason = change_set.get("StatusReason") or ""
    return change_set.get("Status") == "FAILED" and any(marker in reason for marker in NO_CHANGE_REASONS)


def delete_change_set(client, change_set_id):
    try:
        client.delete_change_set(ChangeSetName=change_set_id, aws_retry=True)
    except is_boto3_error_code("ChangeSetNotFound"):
        return
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise CloudFormationError(message="Failed to delete preview change set %s" % change_set_id, exception=e)


def list_importing_stacks(client, export_name):
    """Names of the stacks that import export_name ([] when none does)."""
    stacks = []
    kwargs = dict(ExportName=export_name)
    try:
        while True:
            response = client.list_imports(aws_retry=True, **kwargs)
            stacks.extend(response.get("Imports", []))
            if not response.get("NextToken"):
                return stacks
            kwargs["NextToken"] = response["NextToken"]
    except is_boto3_error_code("ValidationError"):
        return stacks  # "Export 'x' is not imported by any stack."
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise CloudFormationError(message="Failed to list the imports of export %s" % export_name, exception=e)
