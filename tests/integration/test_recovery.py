"""The deploy playbook recovers failed stacks on the emulator, and refuses where recovery would lose data.

Each test puts its own stack (and tables named after it) into a failed state with boto3, runs
deploy-dynamodb.yml with a good template, and checks the real state through boto3 afterwards: stack id and
status, tables, items. States the emulator produces (DESIGN.md section 5): ROLLBACK_COMPLETE,
CREATE_FAILED (OnFailure=DO_NOTHING), UPDATE_ROLLBACK_COMPLETE, UPDATE_FAILED (DisableRollback),
REVIEW_IN_PROGRESS (a CREATE change set never executed), and, through a wait condition that gives the test
time to change a resource by hand before it signals FAILURE, UPDATE_ROLLBACK_FAILED and ROLLBACK_FAILED.
"""
import boto3
import pytest

from conftest import all_exports
from wait_conditions import signal_wait_condition, wait_for_the_wait_condition  # scripts/, on sys.path by conftest

SESSIONS = [{"sessionId": {"S": "session-%d" % number}, "owner": {"S": "chef-%d" % number}} for number in range(3)]
RESULTS = [{"resultId": {"S": "result-%d" % number}, "sessionId": {"S": "session-%d" % number}}
           for number in range(2)]


# --- helpers --------------------------------------------------------------------------------------------------
def read(path):
    with open(path) as handle:
        return handle.read()


def deploy_vars(stack_name, template_path, **extra):
    return dict(dynamodb_stack_name=stack_name, dynamodb_stack_template_path=template_path, **extra)


def describe(cfn, stack_name):
    return cfn.describe_stacks(StackName=stack_name)["Stacks"][0]


def tables_of(ddb, stack_name):
    names = []
    for page in ddb.get_paginator("list_tables").paginate():
        names.extend(name for name in page["TableNames"] if name.startswith(stack_name + "-"))
    return sorted(names)


def put_items(ddb, table, items):
    for item in items:
        ddb.put_item(TableName=table, Item=item)


def items_of(ddb, table, key):
    return sorted((item for item in ddb.scan(TableName=table, ConsistentRead=True)["Items"]),
                  key=lambda item: item[key]["S"])


def stack_events(cfn, stack_name):
    return cfn.describe_stack_events(StackName=stack_name)["StackEvents"]


def create_failed_stack(cfn, settle, stack_name, template_path, expected, **kwargs):
    """create_stack with a template whose last resource fails; wait until the stack settles in `expected`."""
    stack_id = cfn.create_stack(StackName=stack_name, TemplateBody=read(template_path), **kwargs)["StackId"]
    assert settle(stack_name) == expected
    return stack_id


def create_good_stack_with_items(cfn, ddb, settle, stack_name, render_template):
    good = render_template("good.yaml")
    stack_id = cfn.create_stack(StackName=stack_name, TemplateBody=read(good))["StackId"]
    assert settle(stack_name) == "CREATE_COMPLETE"
    put_items(ddb, stack_name + "-sessions", SESSIONS)
    put_items(ddb, stack_name + "-results", RESULTS)
    return stack_id, good


def assert_items_kept(ddb, stack_name):
    assert items_of(ddb, stack_name + "-sessions", "sessionId") == SESSIONS
    assert items_of(ddb, stack_name + "-results", "resultId") == RESULTS


def assert_failed_with(run, *fragments):
    """The run failed in one task, whose one-line msg holds every fragment."""
    assert run.returncode != 0, run.output
    assert len(run.failures) == 1, run.output
    message = run.failures[0]
    assert "\n" not in message.strip(), message
    for fragment in fragments:
        assert fragment in message, "%r not in %r" % (fragment, message)
    return message


def task_result(run, task_name):
    """The first result line ("ok: ...", "skipping: ...") printed under the task header that names task_name."""
    lines = run.output.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("TASK [") and task_name in line:
            return next((result for result in lines[number + 1:] if result.strip()), "")
    raise AssertionError("no task %r in the output:\n%s" % (task_name, run.output))


# --- ROLLBACK_COMPLETE ---------------------------------------------------------------------------------------
def test_rollback_complete_is_deleted_and_created_again_then_rerun_changes_nothing(
        deploy, cfn, ddb, settle, stack_name, render_template):
    failed_id = create_failed_stack(cfn, settle, stack_name, render_template("failing-last-resource.yaml"),
                                    "ROLLBACK_COMPLETE")
    assert tables_of(ddb, stack_name) == []  # the rollback removed the tables the failed create made
    good = render_template("good.yaml")

    run = deploy(extra_vars=deploy_vars(stack_name, good))

    assert run.returncode == 0, run.output
    assert "recovered from ROLLBACK_COMPLETE by delete" in run.output, run.output
    stack = describe(cfn, stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] != failed_id  # a new stack, not an update of the dead one
    assert tables_of(ddb, stack_name) == sorted([stack_name + "-results", stack_name + "-sessions"])
    for table in tables_of(ddb, stack_name):
        assert ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    exports = set(all_exports(cfn))
    assert {stack_name + "-SessionsTable", stack_name + "-ResultsTableArn"} <= exports

    rerun = deploy(extra_vars=deploy_vars(stack_name, good))

    assert rerun.returncode == 0, rerun.output
    assert rerun.changed == 0, rerun.output
    assert describe(cfn, stack_name)["StackId"] == stack["StackId"]


@pytest.mark.parametrize("how", ["retained-by-policy", "made-by-hand"])
def test_rollback_complete_with_a_table_outside_the_stack_fails_naming_it_and_deletes_nothing(
        deploy, cfn, ddb, settle, stack_name, render_template, aws_state, how):
    """AWS would refuse the create (the table exists); the emulator would silently adopt the table into the
    new stack (DESIGN.md section 5). The recovery's pre-create check must catch it before deleting anything."""
    if how == "retained-by-policy":
        # DeletionPolicy Retain keeps the sessions table after the failed create rolled back.
        failed_id = create_failed_stack(cfn, settle, stack_name,
                                        render_template("failing-last-resource-retain.yaml"), "ROLLBACK_COMPLETE")
        outside = stack_name + "-sessions"
        assert tables_of(ddb, stack_name) == [outside]
        put_items(ddb, outside, SESSIONS)
        kept = SESSIONS
    else:
        # Somebody restored the results table by hand after the failed create.
        failed_id = create_failed_stack(cfn, settle, stack_name, render_template("failing-last-resource.yaml"),
                                        "ROLLBACK_COMPLETE")
        outside = stack_name + "-results"
        ddb.create_table(TableName=outside, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "resultId", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "resultId", "KeyType": "HASH"}])
        put_items(ddb, outside, RESULTS)
        kept = RESULTS
    before = aws_state()

    run = deploy(extra_vars=deploy_vars(stack_name, render_template("good.yaml")))

    assert_failed_with(run, outside, "already exist outside", "Nothing was changed")
    assert aws_state() == before
    stack = describe(cfn, stack_name)
    assert (stack["StackId"], stack["StackStatus"]) == (failed_id, "ROLLBACK_COMPLETE")
    assert tables_of(ddb, stack_name) == [outside]
    key = "sessionId" if outside.endswith("-sessions") else "resultId"
    assert items_of(ddb, outside, key) == kept


def test_rollback_complete_under_termination_protection_fails_clearly_and_deletes_nothing(
        deploy, cfn, settle, stack_name, render_template, aws_state):
    failed_id = create_failed_stack(cfn, settle, stack_name, render_template("failing-last-resource.yaml"),
                                    "ROLLBACK_COMPLETE", EnableTerminationProtection=True)
    before = aws_state()

    run = deploy(extra_vars=deploy_vars(stack_name, render_template("good.yaml")))

    assert_failed_with(run, stack_name, "ROLLBACK_COMPLETE", "termination protection is on")
    assert aws_state() == before
    stack = describe(cfn, stack_name)
    assert (stack["StackId"], stack["StackStatus"]) == (failed_id, "ROLLBACK_COMPLETE")
    assert stack["EnableTerminationProtection"] is True


def test_check_mode_on_rollback_complete_reports_the_plan_and_changes_nothing(
        deploy, cfn, settle, stack_name, render_template, aws_state):
    create_failed_stack(cfn, settle, stack_name, render_template("failing-last-resource.yaml"), "ROLLBACK_COMPLETE")
    stack_before = describe(cfn, stack_name)
    events_before = stack_events(cfn, stack_name)
    before = aws_state()

    run = deploy("--check", extra_vars=deploy_vars(stack_name, render_template("good.yaml")))

    assert run.returncode == 0, run.output
    assert "is ROLLBACK_COMPLETE: would delete, then create it" in run.output, run.output
    # No change-set preview either: AWS refuses CreateChangeSet on a ROLLBACK_COMPLETE stack (the emulator
    # accepts it, so only the skipped task shows that none was sent).
    for task in ("Preview the change and guard the tables of the stack ",
                 "Deploy, update by update, the stack "):
        assert task_result(run, task + stack_name).startswith("skipping:"), run.output
    assert describe(cfn, stack_name) == stack_before
    assert stack_events(cfn, stack_name) == events_before
    assert aws_state() == before
    assert cfn.list_change_sets(StackName=stack_name)["Summaries"] == []


# --- CREATE_FAILED -------------------------------------------------------------------------------------------
def test_create_failed_with_items_is_refused_then_deleted_and_created_with_consent(
        deploy, cfn, ddb, settle, stack_name, render_template, aws_state):
    failed_id = create_failed_stack(cfn, settle, stack_name, render_template("failing-last-resource.yaml"),
                                    "CREATE_FAILED", OnFailure="DO_NOTHING")
    sessions = stack_name + "-sessions"
    put_items(ddb, sessions, SESSIONS)  # the results table stays empty: only the sessions table is named
    good = render_template("good.yaml")
    before = aws_state()

    refused = deploy(extra_vars=deploy_vars(stack_name, good))

    message = assert_failed_with(refused, sessions, "still hold items", "allow_delete")
    assert stack_name + "-results" not in message  # the empty table is not in the way
    assert aws_state() == before
    stack = describe(cfn, stack_name)
    assert (stack["StackId"], stack["StackStatus"]) == (failed_id, "CREATE_FAILED")
    assert items_of(ddb, sessions, "sessionId") == SESSIONS

    consented = deploy(extra_vars=deploy_vars(stack_name, good, dynamodb_stack_allow_delete=True))

    assert consented.returncode == 0, consented.output
    assert "recovered from CREATE_FAILED by delete_if_empty" in consented.output, consented.output
    stack = describe(cfn, stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] != failed_id
    assert tables_of(ddb, stack_name) == sorted([stack_name + "-results", sessions])
    assert items_of(ddb, sessions, "sessionId") == []  # consented: the old table went with the old stack


def test_create_failed_with_tables_kept_by_retain_except_on_create_is_refused_before_any_delete(
        deploy, cfn, ddb, settle, stack_name, render_template):
    failed_id = create_failed_stack(cfn, settle, stack_name,
                                    render_template("failing-last-resource-retain-except-on-create.yaml"),
                                    "CREATE_FAILED", OnFailure="DO_NOTHING")
    sessions = stack_name + "-sessions"
    put_items(ddb, sessions, SESSIONS)

    run = deploy(extra_vars=deploy_vars(stack_name, render_template("good.yaml"), dynamodb_stack_allow_delete=True))

    assert items_of(ddb, sessions, "sessionId") == SESSIONS  # holds today too: the delete retained the table
    assert_failed_with(run, sessions)
    stack = describe(cfn, stack_name)  # today: "Stack with id ... does not exist", the stack was deleted
    assert (stack["StackId"], stack["StackStatus"]) == (failed_id, "CREATE_FAILED")


# --- failed updates: live data, never deleted -----------------------------------------------------------------
def test_update_rollback_complete_is_updated_in_place_and_every_item_survives(
        deploy, cfn, ddb, settle, stack_name, render_template):
    stack_id, good = create_good_stack_with_items(cfn, ddb, settle, stack_name, render_template)
    cfn.update_stack(StackName=stack_name, TemplateBody=read(render_template("failing-last-resource.yaml")))
    assert settle(stack_name) == "UPDATE_ROLLBACK_COMPLETE"

    # A harmless change (a stack tag) so that the deploy really updates the stack.
    run = deploy(extra_vars=deploy_vars(stack_name, good, dynamodb_stack_tags={"Revision": "2"}))

    assert run.returncode == 0, run.output
    assert "is UPDATE_ROLLBACK_COMPLETE: nothing to recover" in run.output, run.output
    stack = describe(cfn, stack_name)
    assert stack["StackId"] == stack_id
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {"Key": "Revision", "Value": "2"} in stack["Tags"]
    assert not [event for event in stack_events(cfn, stack_name) if event["ResourceStatus"].startswith("DELETE")]
    assert_items_kept(ddb, stack_name)


def test_update_failed_is_rolled_back_then_updated_and_every_item_survives(
        deploy, cfn, ddb, settle, stack_name, render_template):
    stack_id, good = create_good_stack_with_items(cfn, ddb, settle, stack_name, render_template)
    cfn.update_stack(StackName=stack_name, TemplateBody=read(render_template("failing-last-resource.yaml")),
                     DisableRollback=True)
    assert settle(stack_name) == "UPDATE_FAILED"

    run = deploy(extra_vars=deploy_vars(stack_name, good, dynamodb_stack_tags={"Revision": "2"}))

    assert run.returncode == 0, run.output
    assert "recovered from UPDATE_FAILED by rollback" in run.output, run.output
    stack = describe(cfn, stack_name)
    assert stack["StackId"] == stack_id
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {"Key": "Revision", "Value": "2"} in stack["Tags"]
    statuses = [event["ResourceStatus"] for event in stack_events(cfn, stack_name)
                if event["LogicalResourceId"] == stack_name]
    assert "UPDATE_ROLLBACK_COMPLETE" in statuses  # RollbackStack ran before the update
    assert_items_kept(ddb, stack_name)


def make_update_rollback_failed(cfn, ddb, settle, stack_name, render_template):
    """Update that adds an index to the results table, then waits; drop the index by hand and fail the wait:
    the rollback cannot remove an index that is gone, so the stack lands in UPDATE_ROLLBACK_FAILED."""
    cfn.update_stack(StackName=stack_name, TemplateBody=read(render_template("update-adds-index-then-waits.yaml")))
    resources = wait_for_the_wait_condition(cfn, stack_name)
    results = stack_name + "-results"
    indexes = ddb.describe_table(TableName=results)["Table"].get("GlobalSecondaryIndexes", [])
    assert [index["IndexName"] for index in indexes] == ["sessionId-index"]
    ddb.update_table(TableName=results, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "sessionId-index"}}])
    signal_wait_condition(resources["Handle"], "FAILURE")
    assert settle(stack_name) == "UPDATE_ROLLBACK_FAILED"


def test_update_rollback_failed_is_never_deleted_and_continues_skipping_the_named_resource(
        deploy, cfn, ddb, settle, stack_name, render_template):
    stack_id, good = create_good_stack_with_items(cfn, ddb, settle, stack_name, render_template)
    make_update_rollback_failed(cfn, ddb, settle, stack_name, render_template)

    # Without a skip, ContinueUpdateRollback fails the same way each time: the deploy must stop and leave the
    # stack and its data alone.
    stuck = deploy(extra_vars=deploy_vars(stack_name, good))

    assert_failed_with(stuck, stack_name, "UPDATE_ROLLBACK_FAILED")
    stack = describe(cfn, stack_name)
    assert (stack["StackId"], stack["StackStatus"]) == (stack_id, "UPDATE_ROLLBACK_FAILED")
    assert_items_kept(ddb, stack_name)

    run = deploy(extra_vars=deploy_vars(
        stack_name, good, dynamodb_stack_resources_to_skip=["ResultsTable"], dynamodb_stack_tags={"Revision": "2"}))

    assert run.returncode == 0, run.output
    assert "recovered from UPDATE_ROLLBACK_FAILED by continue_update_rollback" in run.output, run.output
    stack = describe(cfn, stack_name)
    assert stack["StackId"] == stack_id
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {"Key": "Revision", "Value": "2"} in stack["Tags"]
    skipped = [event for event in stack_events(cfn, stack_name) if event["LogicalResourceId"] == "ResultsTable"
               and event.get("ResourceStatusReason") == "Resource rollback skipped by user"]
    assert skipped, "ContinueUpdateRollback did not skip ResultsTable"
    assert_items_kept(ddb, stack_name)


def test_update_rollback_failed_that_fails_again_names_the_root_cause_and_the_skip_option(
        deploy, cfn, ddb, settle, stack_name, render_template):
    dummy, good = create_good_stack_with_items(cfn, ddb, settle, stack_name, render_template)
    make_update_rollback_failed(cfn, ddb, settle, stack_name, render_template)

    stuck = deploy(extra_vars=deploy_vars(stack_name, good))

    message = assert_failed_with(stuck, stack_name, "UPDATE_ROLLBACK_FAILED", "ResultsTable", "resources_to_skip")
    assert "Index: sessionId-index" in message  # the reason the rollback of ResultsTable failed
    continues = [event for event in stack_events(cfn, stack_name)
                 if event["LogicalResourceId"] == stack_name and event["ResourceStatus"] == "UPDATE_ROLLBACK_FAILED"]
    assert len(continues) <= 2  # the failed rollback, plus at most one ContinueUpdateRollback that failed again


# --- ROLLBACK_FAILED and REVIEW_IN_PROGRESS: no resources worth keeping ----------------------------------------
def test_rollback_failed_without_items_is_deleted_and_created_again(
        deploy, cfn, ddb, settle, stack_name, render_template, endpoint):
    """The rollback deleted the tables but not the VPC (a subnet was added to it by hand). Emulator gap: its
    DeleteStack then drops the stack without retrying the VPC, where AWS would end in DELETE_FAILED."""
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint,
                       aws_access_key_id="test", aws_secret_access_key="test")
    failed_id = cfn.create_stack(StackName=stack_name,
                                 TemplateBody=read(render_template("create-adds-vpc-then-waits.yaml")))["StackId"]
    resources = wait_for_the_wait_condition(cfn, stack_name)
    ec2.create_subnet(VpcId=resources["Vpc"], CidrBlock="10.77.1.0/24")
    signal_wait_condition(resources["Handle"], "FAILURE")
    assert settle(stack_name) == "ROLLBACK_FAILED"

    run = deploy(extra_vars=deploy_vars(stack_name, render_template("good.yaml")))

    assert run.returncode == 0, run.output
    assert "recovered from ROLLBACK_FAILED by delete_if_empty" in run.output, run.output
    stack = describe(cfn, stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] != failed_id
    assert tables_of(ddb, stack_name) == sorted([stack_name + "-results", stack_name + "-sessions"])


def test_review_in_progress_is_deleted_and_created_again(deploy, cfn, ddb, settle, stack_name, render_template):
    good = render_template("good.yaml")
    cfn.create_change_set(StackName=stack_name, ChangeSetName="never-executed", ChangeSetType="CREATE",
                          TemplateBody=read(good))
    review = describe(cfn, stack_name)
    assert review["StackStatus"] == "REVIEW_IN_PROGRESS"

    run = deploy(extra_vars=deploy_vars(stack_name, good))

    assert run.returncode == 0, run.output
    assert "recovered from REVIEW_IN_PROGRESS by delete" in run.output, run.output
    stack = describe(cfn, stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] != review["StackId"]
    assert tables_of(ddb, stack_name) == sorted([stack_name + "-results", stack_name + "-sessions"])
