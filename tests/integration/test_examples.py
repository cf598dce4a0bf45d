"""Every module's EXAMPLES block, run through ansible-playbook against the session emulator.

The tasks are taken from the module's EXAMPLES as written and run in one play per module. What the test changes
is only what a reader would change to run them here:
  - connection: module_defaults for group/aichef.dynamodb.aws and group/amazon.aws.aws with the local
    inventory's region, endpoint and dummy credentials (EXAMPLES leave credentials out on purpose);
  - names: every physical name (stack ai-chef-dynamodb, tables ai-chef-*, the team template's alarm and log
    group) gets this test's own prefix, because the emulator is shared by the whole session; the template the
    EXAMPLES look up (dynamodb-schema.yaml) is the team's files/dynamodb-schema.yaml with the same renames,
    beside the generated playbook;
  - host paths (chart_path, checkpoint_path) move under the test's temporary directory;
  - what the EXAMPLES assume exists is created first: the team stack for the modules that read or update it,
    the migration's tables with a few items, and for the migration through S3 its source (point-in-time
    recovery on) and bucket.
SKIPPED_TASKS lists example tasks left out, each with its reason: only the two that need a Spark service the emulator
does not run.
"""
import ast
import glob
import os
import shutil
import tempfile
import uuid

import boto3
import pytest
import yaml

from conftest import ENDPOINT, REGION, ROOT

MODULES = sorted(os.path.splitext(os.path.basename(path))[0]
                 for path in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")))
TEAM_TEMPLATE = os.path.join(ROOT, "files", "dynamodb-schema.yaml")
# Modules whose EXAMPLES read, preview or update an existing stack ai-chef-dynamodb: it is deployed first.
NEEDS_STACK = {"cloudformation_change_plan", "cloudformation_stack_policy", "cloudformation_stack_progress",
               "dynamodb_stack_info", "dynamodb_stack_verify", "dynamodb_table_diagnose"}
# Options naming a file or directory on the host running the module: moved under the test's directory.
HOST_PATH_OPTIONS = ("chart_path", "checkpoint_path")
# (module, task name) -> why the task cannot run against the emulator.
# The emulator marks a Glue Spark job run SUCCEEDED without running its script (and has no EMR Serverless): the
# module would then find no job report and fail. Covered instead by the Stubber tests of the submit and follow
# (test_dynamodb_table_s3_migration*.py) and by the job itself run in Spark local mode (test_spark_job.py).
SPARK_RUN = "needs a Spark run of the job; the emulator's Glue only marks Spark runs SUCCEEDED, without running them"
SKIPPED_TASKS = {
    ("dynamodb_table_s3_migration", "Migrate it, the transform running as a run of the Glue job ai-chef-migration-transform"):
        SPARK_RUN,
    ("dynamodb_table_s3_migration", "The same on EMR Serverless"): SPARK_RUN,
}
MIGRATION_ITEMS = 40
OTHER_REGION = "eu-west-1"  # the region the migration example copies into


def examples_of(module):
    """The EXAMPLES string of plugins/modules/<module>.py, read without importing the module."""
    with open(os.path.join(ROOT, "plugins", "modules", module + ".py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets):
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % module)


def renamed(text, prefix):
    """Physical names of the team's stack made this test's own (ai-chef-dynamodb -> <prefix>-dynamodb, ...)."""
    return text.replace("AI-Chef-DynamoDB-", prefix + "-").replace("ai-chef-", prefix + "-")


def adapted_tasks(module, prefix, work):
    """The EXAMPLES tasks, renamed, host paths moved, SKIPPED_TASKS (by their name as written) left out."""
    as_written = yaml.safe_load(examples_of(module))
    assert isinstance(as_written, list) and as_written, "%s: EXAMPLES is not a list of tasks" % module
    kept = []
    for original, task in zip(as_written, yaml.safe_load(renamed(examples_of(module), prefix))):
        assert original.get("name"), "%s: every example task needs a name" % module
        if (module, original["name"]) in SKIPPED_TASKS:
            continue
        for action, args in task.items():
            if isinstance(args, dict) and action.startswith(("aichef.dynamodb.", "amazon.aws.")):
                for option in HOST_PATH_OPTIONS:
                    if option in args and "{{" not in str(args[option]):
                        args[option] = os.path.join(work, "host", str(args[option]).lstrip("/"))
        kept.append(task)
    return kept


class PlainDumper(yaml.SafeDumper):
    """Writes a shared mapping out twice instead of as an anchor and alias: the playbook stays easy to read."""

    def ignore_aliases(self, data):
        return True


def playbook(module, tasks):
    aws = dict(region="{{ dynamodb_stack_aws_region }}", endpoint_url="{{ dynamodb_stack_aws_endpoint_url }}",
               access_key="{{ dynamodb_stack_aws_access_key }}", secret_key="{{ dynamodb_stack_aws_secret_key }}")
    return [dict(name="EXAMPLES of aichef.dynamodb.%s" % module, hosts="localhost", gather_facts=False,
                 module_defaults={"group/aichef.dynamodb.aws": aws, "group/amazon.aws.aws": aws}, tasks=tasks)]


@pytest.fixture
def work():
    """A directory for the playbook and host paths. Not under pytest's tmp_path: every path there holds "test",
    the inventory's dummy secret key, which Ansible masks in all output."""
    while True:
        path = tempfile.mkdtemp(prefix="aichef-examples-")
        if "test" not in path:
            break
        os.rmdir(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def deploy_team_stack(cfn, settle, prefix):
    with open(TEAM_TEMPLATE) as handle:
        body = renamed(handle.read(), prefix)
    stack = prefix + "-dynamodb"
    cfn.create_stack(StackName=stack, TemplateBody=body)
    assert settle(stack) == "CREATE_COMPLETE"


def create_table(client, name, keys):
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[dict(AttributeName=attribute, KeyType=kind) for attribute, kind in keys],
                        AttributeDefinitions=[dict(AttributeName=attribute, AttributeType="S")
                                              for attribute, kind in keys])
    client.get_waiter("table_exists").wait(TableName=name)


def session_item(number):
    """An item of the sessions table as the migration EXAMPLES describe it: status (renamed to sessionStatus
    in v2), legacyFlags (dropped), deletedAt on some (filtered out)."""
    item = dict(sessionId=dict(S="session-%03d" % number), status=dict(S="closed" if number % 4 == 0 else "active"),
                legacyFlags=dict(L=[dict(S="beta")]), createdAt=dict(N=str(1764000000 + number)))
    if number % 5 == 0:
        item["deletedAt"] = dict(N=str(1764100000 + number))
    return item


def prepare_migration(ddb, prefix):
    """ai-chef-sessions with items, the empty PK/SK table ai-chef-sessions-v2, and an empty ai-chef-sessions in
    the other region (same key as the source: that example copies without a key change)."""
    source = prefix + "-sessions"
    create_table(ddb, source, [("sessionId", "HASH")])
    create_table(ddb, prefix + "-sessions-v2", [("PK", "HASH"), ("SK", "RANGE")])
    items = [session_item(number) for number in range(MIGRATION_ITEMS)]
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={source: [dict(PutRequest=dict(Item=item))
                                                    for item in items[start:start + 25]]})
    other = boto3.client("dynamodb", region_name=OTHER_REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                         aws_secret_access_key="test")
    create_table(other, source, [("sessionId", "HASH")])


def prepare_s3_migration(ddb, prefix):
    """ai-chef-sessions with items and point-in-time recovery on (an export needs it), and the bucket
    ai-chef-migrations; the new table ai-chef-sessions-v2 must not exist (the import creates it)."""
    source = prefix + "-sessions"
    create_table(ddb, source, [("sessionId", "HASH")])
    ddb.update_continuous_backups(TableName=source,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.batch_write_item(RequestItems={source: [dict(PutRequest=dict(Item=session_item(number)))
                                                for number in range(5)]})
    boto3.client("s3", region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=prefix + "-migrations")


@pytest.mark.parametrize("module", MODULES)
def test_module_examples_run_on_the_emulator(module, run_playbook, cfn, ddb, settle, work):
    prefix = "ex-%s-%s" % (module.replace("_", "-"), uuid.uuid4().hex[:6])
    assert REGION == "us-east-1"  # the region the EXAMPLES name
    if module in NEEDS_STACK:
        deploy_team_stack(cfn, settle, prefix)
    if module == "dynamodb_table_migration":
        prepare_migration(ddb, prefix)
    if module == "dynamodb_table_s3_migration":
        prepare_s3_migration(ddb, prefix)

    tasks = adapted_tasks(module, prefix, work)
    playbook_dir = os.path.join(work, "playbooks")
    os.makedirs(os.path.join(playbook_dir, "files"))
    with open(TEAM_TEMPLATE) as handle:
        template = renamed(handle.read(), prefix)
    with open(os.path.join(playbook_dir, "files", "dynamodb-schema.yaml"), "w") as handle:
        handle.write(template)
    path = os.path.join(playbook_dir, "examples-%s.yml" % module)
    with open(path, "w") as handle:
        yaml.dump(playbook(module, tasks), handle, Dumper=PlainDumper, sort_keys=False, width=1000)

    run = run_playbook(path)  # an absolute path: the runner's playbooks/ folder does not apply

    assert run.returncode == 0, run.output
    assert run.stats["failed"] == 0 and run.stats["unreachable"] == 0, run.output
    assert run.stats["ok"] == len(tasks), "every example task ran: %s" % run.output
