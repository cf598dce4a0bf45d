"""CloudFormation stub helpers: one per operation, expected_params always set, error_code switches to an error.

Pattern: awsdocs python/test_tools/cloudformation_stubber.py. Responses are valid for the service model
(the Stubber validates them).
"""
import datetime
import itertools
import json
import os

import yaml
from botocore.stub import ANY

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import ABSENT_STATUS
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import respond
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import ROOT

STACK_NAME = "ai-chef-dynamodb"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/ai-chef-dynamodb/5b9a8e30-cab0-11ef-9b2a-0a1b2c3d4e5f"
STACK_TYPE = "AWS::CloudFormation::Stack"
CREATED = datetime.datetime(2026, 11, 25, 8, 0, 0, tzinfo=datetime.timezone.utc)


def stack_description(status, stack_name=STACK_NAME, termination_protection=False, tags=None, outputs=None):
    """A Stacks[] entry; tags and outputs are plain dicts here, turned into the API's lists."""
    stack = {
        "StackId": STACK_ID,
        "StackName": stack_name,
        "CreationTime": CREATED,
        "StackStatus": status,
        "EnableTerminationProtection": termination_protection,
    }
    if tags is not None:
        stack["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    if outputs is not None:
        stack["Outputs"] = [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()]
    return stack


def stub_describe_stacks(stubber, status, stack_name=STACK_NAME, termination_protection=False, tags=None,
                         outputs=None, error_code=None, error_message=None):
    """status ABSENT answers as CloudFormation does for a missing stack: ValidationError '... does not exist'."""
    if status == ABSENT_STATUS and not error_code:
        error_code, error_message = "ValidationError", "Stack with id %s does not exist" % stack_name
    response = {"Stacks": [stack_description(status, stack_name, termination_protection, tags, outputs)]}
    respond(stubber, "describe_stacks", response, {"StackName": stack_name}, error_code, error_message)


def stub_get_template(stubber, template_body, stack_name=STACK_NAME, error_code=None, error_message=None):
    """The template CloudFormation stored for the stack (TemplateStage Original: as it was submitted)."""
    response = {"TemplateBody": template_body, "StagesAvailable": ["Original", "Processed"]}
    respond(stubber, "get_template", response, {"StackName": stack_name, "TemplateStage": "Original"},
            error_code, error_message)


# The policy of the role's dynamodb_stack_protect_tables, as a module gets it: read from the role's vars, where it is
# defined once.
with open(os.path.join(ROOT, "roles", "dynamodb_stack", "vars", "main.yml")) as _handle:
    TABLE_PROTECTION_POLICY = yaml.safe_load(_handle)["__dynamodb_stack_table_protection_policy"]


def stub_get_stack_policy(stubber, policy=None, stack_name=STACK_NAME, error_code=None, error_message=None):
    """policy: the stack policy document (a dict) CloudFormation holds; None: the stack has no policy."""
    response = {"StackPolicyBody": json.dumps(policy)} if policy is not None else {}
    respond(stubber, "get_stack_policy", response, {"StackName": stack_name}, error_code, error_message)


def stub_set_stack_policy(stubber, policy, stack_name=STACK_NAME, error_code=None, error_message=None):
    respond(stubber, "set_stack_policy", {},
            {"StackName": stack_name, "StackPolicyBody": json.dumps(policy, sort_keys=True)}, error_code, error_message)


def stub_describe_stack_events(stubber, events_newest_first, stack_name=STACK_NAME, next_token=None,
                               expected_token=None, error_code=None, error_message=None):
    expected = {"StackName": stack_name}
    if expected_token:
        expected["NextToken"] = expected_token
    response = {"StackEvents": list(events_newest_first)}
    if next_token:
        response["NextToken"] = next_token
    respond(stubber, "describe_stack_events", response, expected, error_code, error_message)


def stub_stack_event_pages(stubber, events_newest_first, page_size, pages):
    """The first `pages` pages of DescribeStackEvents, page_size events each, NextToken between them, as
    CloudFormation pages a long history (100 a page). Only the pages the caller should read are stubbed: a read
    of one more is an unexpected call, one less leaves a pending response."""
    events = list(events_newest_first)
    for number in range(pages):
        page = events[number * page_size:(number + 1) * page_size]
        more = (number + 1) * page_size < len(events)
        stub_describe_stack_events(stubber, page, next_token="page-%d" % (number + 2) if more else None,
                                   expected_token="page-%d" % (number + 1) if number else None)


def resource_summary(logical_id, physical_id=None, resource_type=DYNAMODB_TABLE, status="CREATE_COMPLETE"):
    summary = {
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
        "LastUpdatedTimestamp": CREATED,
        "ResourceStatus": status,
    }
    if physical_id:
        summary["PhysicalResourceId"] = physical_id
    return summary


def stub_list_stack_resources(stubber, summaries, stack_name=STACK_NAME, next_token=None, expected_token=None,
                              error_code=None, error_message=None):
    expected = {"StackName": stack_name}
    if expected_token:
        expected["NextToken"] = expected_token
    response = {"StackResourceSummaries": list(summaries)}
    if next_token:
        response["NextToken"] = next_token
    respond(stubber, "list_stack_resources", response, expected, error_code, error_message)


def stub_delete_stack(stubber, stack_name=STACK_NAME, error_code=None, error_message=None):
    respond(stubber, "delete_stack", {}, {"StackName": stack_name}, error_code, error_message)


def stub_continue_update_rollback(stubber, stack_name=STACK_NAME, resources_to_skip=None, error_code=None,
                                  error_message=None):
    expected = {"StackName": stack_name}
    if resources_to_skip:
        expected["ResourcesToSkip"] = list(resources_to_skip)
    respond(stubber, "continue_update_rollback", {}, expected, error_code, error_message)


def stub_rollback_stack(stubber, stack_name=STACK_NAME, error_code=None, error_message=None):
    respond(stubber, "rollback_stack", {"StackId": STACK_ID}, {"StackName": stack_name}, error_code, error_message)


class StackHistory:
    """A stack's event history, built oldest first; pages come back newest first, as CloudFormation sends them.

    Timestamps grow by one second per event and EventIds are unique, so the same history can be stubbed again
    after more events were added (what a poll during a running operation sees).
    """

    def __init__(self, stack_name=STACK_NAME):
        self.stack_name = stack_name
        self.events = []
        self._ids = itertools.count(1)

    def _add(self, logical_id, resource_type, status, reason=None, physical_id=None):
        number = next(self._ids)
        event = {
            "StackId": STACK_ID,
            "EventId": "%s-%04d" % (logical_id, number),
            "StackName": self.stack_name,
            "LogicalResourceId": logical_id,
            "PhysicalResourceId": physical_id or "",
            "ResourceType": resource_type,
            "Timestamp": CREATED + datetime.timedelta(seconds=number),
            "ResourceStatus": status,
        }
        if reason:
            event["ResourceStatusReason"] = reason
        self.events.append(event)
        return event

    def stack(self, status, reason=None):
        return self._add(self.stack_name, STACK_TYPE, status, reason, physical_id=STACK_ID)

    def resource(self, logical_id, status, reason=None, resource_type=DYNAMODB_TABLE, physical_id=None):
        return self._add(logical_id, resource_type, status, reason, physical_id)

    def newest_first(self):
        return list(reversed(self.events))

    # --- histories that the recovery tests share ------------------------------------------------------------
    def failed_create(self, final_status="ROLLBACK_COMPLETE"):
        """A first create where the sessions table collides (the root cause) and the results table is cancelled."""
        self.stack("CREATE_IN_PROGRESS", "User Initiated")
        self.resource("AiChefSessionsTable", "CREATE_IN_PROGRESS")
        self.resource("AiChefResultsTable", "CREATE_IN_PROGRESS")
        self.resource("AiChefSessionsTable", "CREATE_FAILED", TABLE_EXISTS_REASON)
        self.resource("AiChefResultsTable", "CREATE_FAILED", "Resource creation cancelled")
        if final_status == "CREATE_FAILED":
            self.stack("CREATE_FAILED", "The following resource(s) failed to create: [AiChefResultsTable, "
                                        "AiChefSessionsTable].")
            return self
        self.stack("ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [AiChefResultsTable, "
                                           "AiChefSessionsTable]. Rollback requested by user.")
        if final_status == "ROLLBACK_IN_PROGRESS":
            return self
        if final_status == "ROLLBACK_FAILED":
            self.resource("AiChefResultsTable", "DELETE_FAILED", "Table is being deleted")
            self.stack("ROLLBACK_FAILED", "The following resource(s) failed to delete: [AiChefResultsTable].")
            return self
        self.resource("AiChefResultsTable", "DELETE_COMPLETE")
        self.resource("AiChefSessionsTable", "DELETE_COMPLETE")
        self.stack("ROLLBACK_COMPLETE")
        return self

    def successful_create(self):
        self.stack("CREATE_IN_PROGRESS", "User Initiated")
        self.resource("AiChefSessionsTable", "CREATE_IN_PROGRESS")
        self.resource("AiChefSessionsTable", "CREATE_COMPLETE", physical_id="ai-chef-sessions")
        self.stack("CREATE_COMPLETE")
        return self

    def failed_update(self, reason, final_status="UPDATE_ROLLBACK_FAILED"):
        """An update whose alarm fails (the root cause), with a cancelled sibling and a failed rollback."""
        self.stack("UPDATE_IN_PROGRESS", "User Initiated")
        self.resource("SessionsTableErrorAlarm", "UPDATE_IN_PROGRESS", resource_type=CLOUDWATCH_ALARM)
        self.resource("SessionsTableErrorAlarm", "UPDATE_FAILED", reason, resource_type=CLOUDWATCH_ALARM)
        self.resource("AiChefSessionsTable", "UPDATE_FAILED", "Resource update cancelled")
        if final_status == "UPDATE_FAILED":
            self.stack("UPDATE_FAILED", "The following resource(s) failed to update: [SessionsTableErrorAlarm].")
            return self
        self.stack("UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: "
                                                  "[SessionsTableErrorAlarm].")
        if final_status == "UPDATE_ROLLBACK_COMPLETE":
            self.stack("UPDATE_ROLLBACK_COMPLETE")
            return self
        self.resource("SessionsTableErrorAlarm", "UPDATE_FAILED", "Alarm rollback failed: access denied",
                      resource_type=CLOUDWATCH_ALARM)
        self.stack("UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: "
                                             "[SessionsTableErrorAlarm].")
        return self


TABLE_EXISTS_REASON = "Resource handler returned message: \"Table already exists: ai-chef-sessions\""
TABLE_EXISTS_LINE = "AiChefSessionsTable AWS::DynamoDB::Table CREATE_FAILED: " + TABLE_EXISTS_REASON


# --- change sets, exports and imports (cloudformation_change_plan) ---------------------------------------------
CHANGE_SET_NAME = "aichef-plan-0123456789ab"
CHANGE_SET_ID = ("arn:aws:cloudformation:us-east-1:123456789012:changeSet/aichef-plan-0123456789ab/"
                 "9e1f7c44-2f0b-4d1e-8a51-6c0d1e2f3a4b")
PREVIEW_DESCRIPTION = "Preview by aichef.dynamodb; deleted once read"
# How CloudFormation reports a change set that would change nothing (Status FAILED, not an API error).
NO_CHANGES_REASON = ("The submitted information didn't contain changes. Submit different information to create a "
                     "change set.")


def property_detail(name, requires_recreation="Never", attribute="Properties"):
    """A ResourceChange Details[] entry: one property (or attribute) that changes."""
    target = {"Attribute": attribute, "RequiresRecreation": requires_recreation}
    if name:
        target["Name"] = name
    return {"Target": target, "Evaluation": "Static", "ChangeSource": "DirectModification"}


def resource_change(logical_id, action="Modify", replacement=None, resource_type=DYNAMODB_TABLE, physical_id=None,
                    details=()):
    """A Changes[] entry of Type Resource."""
    change = {"Action": action, "LogicalResourceId": logical_id, "ResourceType": resource_type,
              "Details": list(details)}
    if physical_id:
        change["PhysicalResourceId"] = physical_id
    if replacement is not None:
        change["Replacement"] = replacement
    if action == "Modify":
        change["Scope"] = ["Properties"]
    return {"Type": "Resource", "ResourceChange": change}


def stub_create_change_set(stubber, template_body, change_set_name=ANY, capabilities=("CAPABILITY_IAM",), tags=None,
                           stack_name=STACK_NAME, change_set_id=CHANGE_SET_ID, error_code=None, error_message=None,
                           template_url=None):
    """change_set_name defaults to ANY: the module draws a fresh name per preview. With template_url the call must
    carry TemplateURL and no TemplateBody (template_body is then ignored), as for a template read from S3."""
    expected = {"StackName": stack_name, "ChangeSetName": change_set_name, "TemplateBody": template_body,
                "ChangeSetType": "UPDATE", "Capabilities": list(capabilities), "Description": PREVIEW_DESCRIPTION}
    if template_url:
        del expected["TemplateBody"]
        expected["TemplateURL"] = template_url
    if tags:
        expected["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    respond(stubber, "create_change_set", {"Id": change_set_id, "StackId": STACK_ID}, expected,
            error_code, error_message)


def stub_describe_change_set(stubber, status="CREATE_COMPLETE", changes=(), status_reason=None,
                             change_set_id=CHANGE_SET_ID, next_token=None, expected_token=None, error_code=None,
                             error_message=None):
    expected = {"ChangeSetName": change_set_id}
    if expected_token:
        expected["NextToken"] = expected_token
    response = {
        "ChangeSetName": CHANGE_SET_NAME, "ChangeSetId": change_set_id, "StackId": STACK_ID,
        "StackName": STACK_NAME, "Description": PREVIEW_DESCRIPTION, "CreationTime": CREATED,
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE", "Status": status,
        "Capabilities": ["CAPABILITY_IAM"], "Changes": list(changes),
    }
    if status_reason:
        response["StatusReason"] = status_reason
    if next_token:
        response["NextToken"] = next_token
    respond(stubber, "describe_change_set", response, expected, error_code, error_message)


def stub_delete_change_set(stubber, change_set_id=CHANGE_SET_ID, error_code=None, error_message=None):
    respond(stubber, "delete_change_set", {}, {"ChangeSetName": change_set_id}, error_code, error_message)


def stub_list_exports(stubber, exports, next_token=None, expected_token=None, error_code=None, error_message=None):
    """exports: (name, value) pairs exported by STACK_ID, or full Exports[] dicts (another stack's)."""
    expected = {"NextToken": expected_token} if expected_token else {}
    response = {"Exports": [export if isinstance(export, dict) else
                            {"ExportingStackId": STACK_ID, "Name": export[0], "Value": export[1]}
                            for export in exports]}
    if next_token:
        response["NextToken"] = next_token
    respond(stubber, "list_exports", response, expected, error_code, error_message)


def stub_list_imports(stubber, export_name, importing_stacks=(), next_token=None, expected_token=None,
                      error_code=None, error_message=None):
    """No importing stacks answers as CloudFormation does: ValidationError "... is not imported by any stack."."""
    if not importing_stacks and not next_token and not error_code:
        error_code = "ValidationError"
        error_message = "Export '%s' is not imported by any stack." % export_name
    expected = {"ExportName": export_name}
    if expected_token:
        expected["NextToken"] = expected_token
    response = {"Imports": list(importing_stacks)}
    if next_token:
        response["NextToken"] = next_token
    respond(stubber, "list_imports", response, expected, error_code, error_message)
