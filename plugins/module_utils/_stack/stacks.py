# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin CloudFormation wrappers: one API call each, retried, absence returned as data.

Each takes a client wrapped with RetryingBotoClientWrapper (module.client(..., retry_decorator=...)) and
raises CloudFormationError on any other failure, for main() to report.
"""

import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import CloudFormationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import all_pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_message
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import is_operation_start
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import last_operation_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import normalize_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS

# Enough history to reach the start of the last operation of a stack with a few dozen resources.
MAX_EVENT_PAGES = 5
# CloudFormation answers a missing stack with a ValidationError saying so: absence, returned as data.
STACK_ABSENT = error_message("does not exist")


def describe_stack(client, stack_name):
    """The Stacks[0] dict, or None when the stack does not exist (CloudFormation says so with a ValidationError)."""
    response = call(client.describe_stacks, CloudFormationError, "Failed to describe stack %s" % stack_name,
                    absent=STACK_ABSENT, StackName=stack_name)
    stacks = (response or {}).get("Stacks") or []
    return stacks[0] if stacks else None


def stack_status(stack):
    return stack["StackStatus"] if stack else ABSENT_STATUS


def describe_stack_events(client, stack_name, max_pages=MAX_EVENT_PAGES, stop_at=None):
    """Normalized events, newest first, at most max_pages pages.

    stop_at: a predicate on a normalized event; reading ends with the page that holds the first event for
    which it is true (the event a caller already knows, or the start of an operation). Without it one page
    is read: a page of 100 events, newest first, is all a caller that only wants the latest event needs.
    """
    events = []
    for response in pages(client.describe_stack_events, CloudFormationError,
                          "Failed to read the events of stack %s" % stack_name, absent=STACK_ABSENT,
                          max_pages=max_pages if stop_at else 1, StackName=stack_name):
        page = [normalize_event(event) for event in response.get("StackEvents", [])]
        events.extend(page)
        if stop_at and any(stop_at(event) for event in page):
            break
    return events


def describe_last_operation_events(client, stack_name):
    """The events of the stack's latest operation, oldest first: pages are read back to its start."""
    return last_operation_events(describe_stack_events(client, stack_name,
                                                       stop_at=lambda event: is_operation_start(event, stack_name)),
                                 stack_name)


def list_stack_resources(client, stack_name):
    """StackResourceSummaries of every page."""
    return all_pages(client.list_stack_resources, "StackResourceSummaries", CloudFormationError,
                     "Failed to list the resources of stack %s" % stack_name, StackName=stack_name)


def delete_stack(client, stack_name):
    call(client.delete_stack, CloudFormationError, "Failed to delete stack %s" % stack_name, StackName=stack_name)


def continue_update_rollback(client, stack_name, resources_to_skip):
    kwargs = dict(StackName=stack_name)
    if resources_to_skip:
        kwargs["ResourcesToSkip"] = list(resources_to_skip)
    call(client.continue_update_rollback, CloudFormationError,
         "Failed to continue the update rollback of stack %s" % stack_name, **kwargs)


def rollback_stack(client, stack_name):
    call(client.rollback_stack, CloudFormationError, "Failed to roll back stack %s" % stack_name, StackName=stack_name)


def get_stack_policy(client, stack_name):
    """The stack policy as a dict, or None when the stack has none (a policy can be replaced, never removed)."""
    body = call(client.get_stack_policy, CloudFormationError, "Failed to read the stack policy of stack %s" % stack_name,
                StackName=stack_name).get("StackPolicyBody")
    return json.loads(body) if body else None


def set_stack_policy(client, stack_name, policy):
    call(client.set_stack_policy, CloudFormationError, "Failed to set the stack policy of stack %s" % stack_name,
         StackName=stack_name, StackPolicyBody=json.dumps(policy, sort_keys=True))


def get_template(client, stack_name):
    """The template the stack was last deployed with, as CloudFormation stored it: a str for YAML, a dict
    for JSON (botocore parses JSON bodies itself)."""
    return call(client.get_template, CloudFormationError, "Failed to read the template of stack %s" % stack_name,
                StackName=stack_name, TemplateStage="Original")["TemplateBody"]


def list_stack_exports(client, stack_id):
    """The Exports of every ListExports page that the stack stack_id exports (ListExports lists the account's)."""
    exports = all_pages(client.list_exports, "Exports", CloudFormationError,
                        "Failed to list the exports of stack %s" % stack_id)
    return [export for export in exports if export.get("ExportingStackId") == stack_id]
