#!/usr/bin/env python
"""Fresh create and no-op deploy: the collection's deploy playbook vs a bare amazon.aws.cloudformation task, same
emulator, same run. Prints wall time per run (median of N), the ratio to the bare task, and the AWS API calls each
makes.

    .venv/bin/python benchmarks/deploy_ratios.py [--runs 5] [--port 4620] [--code-cache]

Targets (issue 18): fresh create <= 2.0x, no-op <= 1.15x. A third row runs the collection's playbook with its
modules as processes (aichef_dynamodb_in_process=false), as on a host that is not this controller
(docs/performance.md). All deploy the template the role renders from its default tables; between two creates the
stack is deleted, untimed. Runs are interleaved (role, as processes, bare, role, ...) so that drift on the machine
hits all alike.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import emulator  # noqa: E402
from counting_proxy import CountingProxy  # noqa: E402
from render_templates import sources  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, ".collections"))
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body  # noqa: E402

STACK = "ai-chef-dynamodb"
ROLE, BARE = "collection deploy playbook", "bare amazon.aws.cloudformation"
AS_PROCESSES = "collection, modules as processes"
BARE_PLAYBOOK = """---
- name: Baseline, amazon.aws.cloudformation alone
  hosts: all
  gather_facts: false
  tasks:
    - name: Deploy the team's template
      amazon.aws.cloudformation:
        stack_name: "{{ dynamodb_stack_name | default('%s') }}"
        state: present
        template_body: "{{ lookup('ansible.builtin.file', '%s') }}"
        capabilities: [CAPABILITY_IAM]
        region: "{{ dynamodb_stack_aws_region }}"
        endpoint_url: "{{ dynamodb_stack_aws_endpoint_url }}"
        access_key: "{{ dynamodb_stack_aws_access_key }}"
        secret_key: "{{ dynamodb_stack_aws_secret_key }}"
"""


def run_playbook(playbook, port, changed):
    """Seconds the playbook took; it must succeed with changed=0 (no-op) or changed>0 (create). playbook: its path,
    then any further ansible-playbook arguments."""
    env = dict(os.environ, AICHEF_EMULATOR_PORT=str(port), ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
    started = time.perf_counter()
    completed = subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local"]
                               + list(playbook), cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0 or (("changed=0" in completed.stdout) == changed):
        kind = "create" if changed else "no-op"
        raise SystemExit("%s was not a clean %s:\n%s%s" % (playbook, kind, completed.stdout, completed.stderr))
    return elapsed


def delete_stack(port):
    """Delete the stack and what it retains (tables, log group), and wait until they are gone: untimed, it only
    readies the next create."""
    def client(service):
        return boto3.client(service, region_name="us-east-1", endpoint_url="http://127.0.0.1:%d" % port,
                            aws_access_key_id="test", aws_secret_access_key="test")
    cfn, ddb, logs = client("cloudformation"), client("dynamodb"), client("logs")
    resources = cfn.describe_stack_resources(StackName=STACK)["StackResources"]
    cfn.update_termination_protection(StackName=STACK, EnableTerminationProtection=False)
    cfn.delete_stack(StackName=STACK)
    cfn.get_waiter("stack_delete_complete").wait(StackName=STACK, WaiterConfig=dict(Delay=1, MaxAttempts=120))
    for resource in resources:
        try:
            if resource["ResourceType"] == "AWS::DynamoDB::Table":
                ddb.update_table(TableName=resource["PhysicalResourceId"], DeletionProtectionEnabled=False)
                ddb.delete_table(TableName=resource["PhysicalResourceId"])
                ddb.get_waiter("table_not_exists").wait(TableName=resource["PhysicalResourceId"],
                                                        WaiterConfig=dict(Delay=1, MaxAttempts=60))
            elif resource["ResourceType"] == "AWS::Logs::LogGroup":
                logs.delete_log_group(logGroupName=resource["PhysicalResourceId"])
        except (ddb.exceptions.ResourceNotFoundException, logs.exceptions.ResourceNotFoundException):
            pass  # not retained by the delete


def measure(kind, playbooks, runs, proxy):
    """{label: ([seconds per run], {API call: count} of the last run)} for kind "create" or "no-op"."""
    results = dict((label, ([], {})) for label in playbooks)
    for dummy in range(runs):
        for label, playbook in playbooks.items():
            if kind == "create":
                delete_stack(proxy.upstream_port)
            proxy.take_counts()
            results[label][0].append(run_playbook(playbook, proxy.port, changed=kind == "create"))
            results[label][1].clear()
            results[label][1].update(proxy.take_counts())
    return results


def report(kind, results):
    baseline = statistics.median(results[BARE][0])
    print("%s, median of %d runs each (same emulator, same run)" % (kind, len(results[BARE][0])))
    for label, (samples, counted) in results.items():
        print("  %-32s %6.2f s  ratio %.2f  API calls %2d  (%s)" % (
            label, statistics.median(samples), statistics.median(samples) / baseline, sum(counted.values()),
            ", ".join("%s %d" % item for item in sorted(counted.items()))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=4620)
    parser.add_argument("--code-cache", action="store_true",
                        help="keep this repository's compiled-code cache for module tasks on (scripts/zipimport_code_cache.py); "
                             "off by default, so both sides run as in an environment where the collection is installed")
    args = parser.parse_args()
    # Both sides alike, in every ansible-playbook and module process this script starts.
    os.environ["AICHEF_ZIPIMPORT_CACHE"] = "1" if args.code_cache else "0"

    emulator.stop(args.port)
    emulator.start(args.port)
    proxy = CountingProxy(args.port)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=ROOT, prefix=".bench-") as bare, \
                tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="bench-template-") as template:
            # The same template the role renders from its default tables: both runs create, then no-op, alike.
            _name, tables, settings = next(sources())
            template.write(render_template_body(tables, settings))
            template.flush()
            bare.write(BARE_PLAYBOOK % (STACK, template.name))
            bare.flush()
            deploy = os.path.join(ROOT, "playbooks", "deploy-dynamodb.yml")
            playbooks = {ROLE: [deploy], AS_PROCESSES: [deploy, "-e", "aichef_dynamodb_in_process=false"],
                         BARE: [bare.name]}
            converge = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local", deploy]
            environment = dict(os.environ, AICHEF_EMULATOR_PORT=str(args.port))
            subprocess.run(converge, cwd=ROOT, env=environment, check=True, capture_output=True)
            created = measure("create", playbooks, args.runs, proxy)
            # The last create was the bare task's, without the role's stack policy: the role converges it first.
            subprocess.run(converge, cwd=ROOT, env=environment, check=True, capture_output=True)
            unchanged = measure("no-op", playbooks, args.runs, proxy)
    finally:
        proxy.close()
        emulator.stop(args.port)

    print("module code cache (scripts/zipimport_code_cache.py): %s" % ("on" if args.code_cache else "off"))
    report("fresh create", created)
    report("no-op deploy", unchanged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
