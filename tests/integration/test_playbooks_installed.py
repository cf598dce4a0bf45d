"""The collection's playbooks as an ops team runs them: by FQCN from an installed tarball (names that are
identifiers), on the hosts of the group dynamodb_deployers only (an inventory's web host is never a target), and the
team's hyphenated files in this checkout importing them. The migrate playbook reads its source table before it
creates anything: an absent source table, or a transform that derives from an attribute outside the source's key,
fails in one line naming it, and no stack is created.
"""
import json
import os
import subprocess
import uuid

import pytest

from conftest import ENDPOINT, ONE_LINE_RESULTS, ROOT

# One pytest-xdist worker runs this module: its module-scoped fixture is built once (make integration: loadgroup).
pytestmark = pytest.mark.xdist_group("installed-collection")

PLAYBOOKS = {  # the team's command -> the playbook by FQCN
    "deploy-dynamodb.yml": "deploy_dynamodb",
    "verify-dynamodb.yml": "verify_dynamodb",
    "diagnose-dynamodb.yml": "diagnose_dynamodb",
    "migrate-dynamodb-table.yml": "migrate_dynamodb_table",
    "iam-policies.yml": "iam_policies",
}
BIN = os.path.join(ROOT, ".venv", "bin")
FATAL_PREFIX = "fatal: [localhost]: FAILED! => "


def unique(prefix):
    # No "test" in names: the inventory's dummy secret key is "test", and Ansible masks it in every result.
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built into a tarball and installed in a fresh path (amazon.aws beside it), with an ops folder
    outside the checkout: no ansible.cfg, an inventory holding a web host and the controller in dynamodb_deployers."""
    work = tmp_path_factory.mktemp("installed")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", ROOT, "--output-path",
                    str(work / "dist")], check=True, capture_output=True, cwd=str(work))
    tarball, = (work / "dist").glob("aichef-dynamodb-*.tar.gz")
    # --force: `make test` exports ANSIBLE_COLLECTIONS_PATH with this checkout in it, and ansible-galaxy would take
    # the same version there for already installed and install nothing.
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "--force", "-p",
                    str(work / "collections"), str(tarball)], check=True, capture_output=True, cwd=str(work))
    deps = work / "deps" / "ansible_collections"
    deps.mkdir(parents=True)
    (deps / "amazon").symlink_to(os.path.join(ROOT, ".collections", "ansible_collections", "amazon"))
    ops = work / "ops"
    ops.mkdir()
    (ops / "inventory.yml").write_text(json.dumps({"all": {"children": {
        "web": {"hosts": {"web1": {"ansible_host": "192.0.2.10"}}},
        "dynamodb_deployers": {
            "hosts": {"localhost": {"ansible_connection": "local",
                                    "ansible_python_interpreter": "{{ ansible_playbook_python }}"}},
            "vars": {"dynamodb_stack_aws_region": "us-east-1", "dynamodb_stack_aws_endpoint_url": ENDPOINT,
                     "dynamodb_stack_aws_access_key": "test", "dynamodb_stack_aws_secret_key": "test"}}}}}))
    env = dict(os.environ, ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH="%s:%s" % (work / "collections", work / "deps"), **ONE_LINE_RESULTS)
    env.pop("ANSIBLE_CONFIG", None)
    return dict(ops=str(ops), env=env,
                playbooks=str(work / "collections" / "ansible_collections" / "aichef" / "dynamodb" / "playbooks"))


def ops_playbook(installed, playbook, *args):
    """ansible-playbook from the ops folder, with its inventory, on the installed collection."""
    return subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "inventory.yml", playbook] + list(args),
                          cwd=installed["ops"], env=installed["env"], capture_output=True, text=True, timeout=600,
                          check=False)


def failures(output):
    return [json.loads(line[len(FATAL_PREFIX):]).get("msg", "") for line in output.splitlines()
            if line.startswith(FATAL_PREFIX)]


def stack_names(cfn):
    return set(stack["StackName"] for page in cfn.get_paginator("describe_stacks").paginate()
               for stack in page["Stacks"])


def listed_hosts(completed):
    """{playbook: [hosts of each host line]} from one ansible-playbook --list-hosts run over several playbooks."""
    assert completed.returncode == 0, completed.stdout + completed.stderr
    hosts, playbook, in_hosts = {}, None, False
    for line in completed.stdout.splitlines():
        if line.startswith("playbook: "):
            playbook, in_hosts = os.path.basename(line[len("playbook: "):]), False
            hosts[playbook] = []
        elif line.strip().startswith("hosts ("):
            in_hosts = True
        elif in_hosts and line.strip() and not line.strip().startswith(("play #", "pattern:")):
            hosts[playbook].append(line.strip())
        else:
            in_hosts = False
    return hosts


def test_each_playbook_runs_by_fqcn_on_dynamodb_deployers_only(installed):
    listed = listed_hosts(ops_playbook(installed, *(["aichef.dynamodb." + name for name in sorted(PLAYBOOKS.values())]
                                                    + ["--list-hosts"])))

    assert listed == dict((name + ".yml", ["localhost"]) for name in PLAYBOOKS.values())


def test_team_commands_import_the_fqcn_playbooks(installed):
    """playbooks/<hyphenated>.yml imports its neighbour, in this checkout and in the installed copy; -e dynamodb_hosts
    picks other hosts."""
    in_repo = listed_hosts(subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", "inventories/local", "--list-hosts"]
        + [os.path.join("playbooks", wrapper) for wrapper in sorted(PLAYBOOKS)], cwd=ROOT, capture_output=True,
        text=True, check=False, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                                         ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))))
    assert in_repo == dict((wrapper, ["localhost"]) for wrapper in PLAYBOOKS)

    other_hosts = listed_hosts(ops_playbook(installed, "--list-hosts", "-e", "dynamodb_hosts=web",
                                            *[os.path.join(installed["playbooks"], wrapper) for wrapper in sorted(PLAYBOOKS)]))
    assert other_hosts == dict((wrapper, ["web1"]) for wrapper in PLAYBOOKS)


def test_migrate_by_fqcn_with_absent_source_table_creates_no_stack(installed, cfn):
    source, stack = unique("absent-sessions"), unique("mig-absent")

    run = ops_playbook(installed, "aichef.dynamodb.migrate_dynamodb_table", "-e", json.dumps(dict(
        dynamodb_migration_source_table=source, dynamodb_migration_stack_name=stack)))

    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert failures(output) == ["Source table %s does not exist in us-east-1: nothing was created (stack %s not "
                                "deployed) and nothing was written" % (source, stack)], output
    assert stack not in stack_names(cfn)
    assert not os.path.exists(os.path.join(installed["ops"], ".run")), "no checkpoint before the source is checked"


def test_migrate_with_transform_outside_the_source_key_creates_no_stack(run_playbook, ddb, cfn, tmp_path):
    """The team's command in this checkout: a source table keyed on resultId cannot give every item the sessionId
    that the default transform derives PK from."""
    source, stack = unique("mig-results"), unique("mig-key")
    ddb.create_table(TableName=source, KeySchema=[{"AttributeName": "resultId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "resultId", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")

    run = run_playbook("migrate-dynamodb-table.yml", extra_vars=dict(
        dynamodb_migration_source_table=source, dynamodb_migration_stack_name=stack,
        dynamodb_migration_checkpoint_path=str(tmp_path / "checkpoint.json")), env=ONE_LINE_RESULTS)

    assert run.returncode != 0, run.output
    message, = run.failures
    assert "\n" not in message
    assert message.startswith("Source table %s has the key resultId (S) HASH, but the transform derives from "
                              "sessionId, not part of it: nothing was created (stack %s not deployed)" % (source, stack))
    assert stack not in stack_names(cfn)
    assert not (tmp_path / "checkpoint.json").exists()
