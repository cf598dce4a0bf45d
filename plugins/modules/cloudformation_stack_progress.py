#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudformation_stack_progress
short_description: Follow a running stack operation, event by event, and explain how it ended
version_added: 0.1.0
description:
  - Follows the stack operation started after the event O(after_event_id) (typically an C(amazon.aws.cloudformation) task run with
    C(async) and C(poll=0)) for at most O(window) seconds per call, and returns the stack events that appeared.
  - With O(wait_timeout), the collection's action plugin follows the operation to its end in this one task, running
    the module a window at a time and printing each stack event as it appears, in any C(ansible.cfg); without it, one
    run follows one O(window) (for a caller with its own loop on RV(settled)).
  - When the operation has ended in failure (rolled back, or failed), fails with a message whose first line names the
    root cause, the earliest failed resource that is not a cancellation echo, and its reason.
  - The operation counts as settled once its own end is among the events after O(after_event_id) (a stack event in
    a settled status) and the stack is no longer busy, so the loop never ends on an older operation's status and
    does not wait for the deploy job's own next look at the stack (C(amazon.aws.cloudformation) sleeps 5 s between
    looks).
  - Reads the async job's result file (O(job_results_file)); a deploy that fails before CloudFormation starts an
    operation (a template CloudFormation rejects), or that has nothing to do, ends the loop with the job.
options:
  watch_indexes:
    description:
      - Global secondary indexes (C(table:index)) that the followed update creates; each run reports, in
        RV(index_lines), their status and how far DynamoDB's backfill has come (it takes minutes on a large table).
    type: list
    elements: str
    default: []
  wait_timeout:
    description:
      - Follow the operation to its end in this one task, at most this many seconds, printing each stack event as it
        appears (the collection's action plugin runs the module a window at a time; no C(until) loop, no callback to
        enable). 0 runs the module once, for one O(window).
    type: int
    default: 0
  step:
    description:
      - "The step of a deploy in several updates being followed (for example C(step 2/3: create index a-index on
        ai-chef-results)); a failure then says that the stack stays on the last good step and a re-run continues."
    type: str
    default: ""
  stack_name:
    description: Name of the CloudFormation stack.
    type: str
    required: true
  after_event_id:
    description:
      - The newest stack event before the deploy started
        (RV(aichef.dynamodb.cloudformation_change_plan#module:last_event_id)); it and every older event are history.
        Empty when the stack did not exist.
      - An event id, not a time; the start event of an operation is stamped a little after the stack's
        C(LastUpdatedTime), so a time cut can take the previous operation for the new one.
    type: str
    default: ""
  job_results_file:
    description: The C(results_file) of the async deploy task.
    type: path
  window:
    description: Seconds to follow the operation in one call before returning RV(settled=false).
    type: int
    default: 20
  deadline:
    description:
      - When the whole wait ends (seconds since the epoch, on the host that runs the module); C(0) for none.
      - A call never follows past it, and once it has passed with the operation still running the module fails,
        saying so; it never cancels or deletes anything (CloudFormation goes on with the operation). The
        C(aichef.dynamodb.dynamodb_stack) role passes the start of its follow task plus its wait timeout.
    type: float
    default: 0
notes:
  - Supports check mode (it only reads).
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Preview the update
  aichef.dynamodb.cloudformation_change_plan:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    operation: update
  register: plan

- name: Start the deploy
  amazon.aws.cloudformation:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
  async: 1800
  poll: 0
  register: deploy_job

- name: Follow the deploy, one line per poll
  aichef.dynamodb.cloudformation_stack_progress:
    stack_name: ai-chef-dynamodb
    after_event_id: "{{ plan.last_event_id }}"
    job_results_file: "{{ deploy_job.results_file }}"
  register: deploy
  until: deploy.settled
  retries: 90
  delay: 0
"""

RETURN = r"""
settled:
  description: Whether the operation has ended (or the deploy job ended without starting one).
  returned: always
  type: bool
  sample: true
stack_status:
  description: The stack status at the last poll; C(ABSENT) when there is no stack.
  returned: always
  type: str
  sample: UPDATE_COMPLETE
events:
  description: Every event of the followed operation so far, oldest first.
  returned: always
  type: list
  elements: dict
  sample: []
event_lines:
  description: The events of the operation so far, one line each (the callback prints those it has not printed yet).
  returned: always
  type: list
  elements: str
  sample: ["AiChefResultsTable AWS::DynamoDB::Table UPDATE_IN_PROGRESS"]
failures:
  description: The failed events of the operation, the root cause first, one line each.
  returned: always
  type: list
  elements: str
  sample: []
index_lines:
  description: One line per watched index (O(watch_indexes)) - its status and the backfill's progress.
  returned: always (empty without O(watch_indexes))
  type: list
  elements: str
  sample: ["index userId-index on ai-chef-results: CREATING, backfilling (120000 items, 9600000 bytes indexed so far; the table holds about 500000 items)"]
last_event_id:
  description: The newest event of the followed operation (O(after_event_id) while it has none), for following the next one.
  returned: always
  type: str
  sample: "ai-chef-dynamodb-UPDATE_COMPLETE-2026-11-25T09:12:04.118Z"
stack_outputs:
  description: The stack outputs (OutputKey to OutputValue), as the finished deploy job reported them or, before
    it has finished, as the stack describes them.
  returned: when the stack exists
  type: dict
  sample: {"SessionsTableName": "ai-chef-sessions"}
output:
  description: The deploy job's own summary (e.g. C(Stack CREATE complete)) once it has finished, else the
    settled operation's status (e.g. C(Stack UPDATE_COMPLETE)).
  returned: when settled
  type: str
  sample: Stack UPDATE complete
"""

import json
import os
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import index_progress_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import status as table
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import failures_root_cause_first
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import format_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import is_operation_start
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import is_stack_event
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.events import last_operation_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import describe_stack_events
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.stacks import stack_status
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import follow_delays

# How a deploy ends well; every other settled status after a deploy started is a failure of that deploy.
SUCCESS_STATUSES = frozenset(["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"])


def read_job_result(path):
    """The async job's result once it has finished, else None (still running, or no job file given)."""
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            result = json.load(handle)
    except ValueError:
        return None  # being written
    if result.get("started") and not result.get("finished", True):
        return None
    return result


def operation_events(events_newest_first, stack_name, after_event_id):
    """The events of the operation that started after the event after_event_id, oldest first; [] while none has."""
    newer = []
    for event in events_newest_first:
        if event["event_id"] == after_event_id:
            break
        newer.append(event)
    started = any(is_operation_start(event, stack_name) for event in newer)
    return last_operation_events(newer, stack_name) if started else []


def read_events_since(client, stack_name, after_event_id):
    """Newest first, back to the event after_event_id (or, for a stack that had none, to its operation's start):
    a long operation's start can lie pages back, and without it the operation is not seen at all."""
    if after_event_id:
        return describe_stack_events(client, stack_name, stop_at=lambda event: event["event_id"] == after_event_id)
    return describe_stack_events(client, stack_name, stop_at=lambda event: is_operation_start(event, stack_name))


# What amazon.aws.cloudformation starts; a DELETE seen here is the recovery's, before the deploy (the emulator lists
# a deleted stack's events under its name, AWS does not).
DEPLOY_START_STATUSES = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")


def operation_ended(events, stack_name, status):
    """True when the followed events are a deploy's operation whose end is recorded: it starts with a create or an
    update, and its newest stack-level event is the stack's current status, a settled one."""
    stack_events = [event for event in events if is_stack_event(event, stack_name)]
    return (bool(stack_events) and stack_events[0]["resource_status"] in DEPLOY_START_STATUSES
            and stack_events[-1]["resource_status"] == status
            and table.lookup_stack_status(status).phase != table.BUSY)


def poll_once(client, params):
    job = read_job_result(params["job_results_file"])
    stack = describe_stack(client, params["stack_name"])
    status = stack_status(stack)
    events = operation_events(read_events_since(client, params["stack_name"], params["after_event_id"]),
                              params["stack_name"], params["after_event_id"])
    busy = table.lookup_stack_status(status).phase == table.BUSY
    # The new operation's own end event settles the loop (the stack status alone could still be an older
    # operation's: it is read before the events). The job's end settles it too: a deploy that failed before
    # starting an operation, or had nothing to do, records no event.
    done = job is not None or operation_ended(events, params["stack_name"], status)
    return dict(settled=not busy and done, stack_status=status, events=events, job=job,
                last_event_id=events[-1]["event_id"] if events else params["after_event_id"],
                stack_outputs=dict((output["OutputKey"], output.get("OutputValue"))
                                   for output in (stack or {}).get("Outputs") or []),
                event_lines=[format_event(event) for event in events],
                failures=[format_event(event) for event in failures_root_cause_first(events, params["stack_name"])])


def follow(client, params, sleep=time.sleep, clock=time.monotonic):
    """Poll until the deploy settles (its job has ended and the stack is not busy) or the window closes."""
    deadline = clock() + params["window"]
    delays = follow_delays()
    outcome = poll_once(client, params)
    while not outcome["settled"] and clock() < deadline:
        sleep(min(next(delays), max(deadline - clock(), 0)))
        outcome = poll_once(client, params)
    return outcome


def failure_message(stack_name, outcome):
    """First line: the root cause; then the other failures. None when the deploy went well."""
    job = outcome["job"] or {}
    if outcome["stack_status"] in SUCCESS_STATUSES and not job.get("failed"):
        return None
    if outcome["failures"]:
        head = "Deploy of stack %s failed (%s): %s" % (stack_name, outcome["stack_status"], outcome["failures"][0])
        return "\n".join([head] + outcome["failures"][1:])
    if job.get("failed"):
        return "Deploy of stack %s failed before CloudFormation changed anything: %s" % (
            stack_name, " ".join(str(job.get("msg", "unknown error")).split()))
    return "Deploy of stack %s ended in %s" % (stack_name, outcome["stack_status"])


def main():
    argument_spec = dict(
        stack_name=dict(type="str", required=True),
        after_event_id=dict(type="str", default=""),
        job_results_file=dict(type="path"),
        window=dict(type="int", default=20),
        deadline=dict(type="float", default=0),
        step=dict(type="str", default=""),
        wait_timeout=dict(type="int", default=0),
        watch_indexes=dict(type="list", elements="str", default=[]),
        **BACKOFF_ARGUMENT_SPEC
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        client = module.client("cloudformation", retry_decorator=retry_decorator(module.params))
        params = dict(module.params)
        if params["deadline"]:
            params["window"] = min(params["window"], max(params["deadline"] - time.time(), 0))
        outcome = follow(client, params)
        outcome["index_lines"] = []
        if params["watch_indexes"]:
            dynamodb = module.client("dynamodb", retry_decorator=retry_decorator(module.params))
            outcome["index_lines"] = index_progress_lines(dynamodb, params["watch_indexes"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    job = outcome.pop("job") or {}
    result = dict(outcome, changed=bool(job.get("changed", outcome["settled"])))
    if "stack_outputs" in job:
        result["stack_outputs"] = job["stack_outputs"]
    if "output" in job:
        result["output"] = job["output"]
    elif outcome["settled"]:
        result["output"] = "Stack %s" % outcome["stack_status"]
    if not outcome["settled"] and module.params["deadline"] and time.time() >= module.params["deadline"]:
        deadline = time.strftime("%H:%M:%S", time.gmtime(module.params["deadline"]))
        module.fail_json(msg="Deploy of stack %s did not finish within its wait_timeout (deadline %s UTC): still %s. "
                             "No delete was issued and nothing was cancelled: CloudFormation goes on with the "
                             "operation; re-run once it has settled (the recovery step waits for a busy stack)" % (
                                 module.params["stack_name"], deadline, outcome["stack_status"]), **result)
    if not outcome["settled"]:
        module.exit_json(msg="Stack %s is %s" % (module.params["stack_name"], outcome["stack_status"]), **result)
    failure = failure_message(module.params["stack_name"], dict(outcome, job=job))
    if failure and module.params["step"]:
        failure += ("\nThis was %s: the steps before it are deployed, and a failed update rolls back to the last good "
                    "step; once the stack has settled, a re-run plans the remaining steps from there"
                    % module.params["step"])
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(msg="Deploy of stack %s: %s" % (module.params["stack_name"], outcome["stack_status"]), **result)


if __name__ == "__main__":
    main()
