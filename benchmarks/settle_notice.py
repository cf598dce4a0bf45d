#!/usr/bin/env python
"""Time to notice a settled stack: how long after CloudFormation finishes an operation the deploy reports it.

    .venv/bin/python benchmarks/settle_notice.py [--runs 3] [--port 4633] [--seed 7]

Three ways of waiting for the same create, same emulator, same run, interleaved:
* the collection's role (playbooks' path: amazon.aws.cloudformation started async, followed by
  aichef.dynamodb.cloudformation_stack_progress),
* a bare amazon.aws.cloudformation task (it sleeps 5 s between looks),
* botocore's stack_create_complete waiter with its defaults, which is what `aws cloudformation wait ...` in the
  team's script runs (30 s between looks).

The stack holds a wait condition, so the create stays busy until this script signals it, after a hold drawn
from a seeded generator (the same holds for every way, so no way is luckier with its poll phase). The lag is
measured from the moment this script sees the stack settled (it polls every 20 ms) to the moment the deploy
ends (the playbook's process exits; the waiter returns). The playbook's lag also holds its remaining tasks and
Ansible's exit: tens of milliseconds, measured by the bare run alike.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import emulator  # noqa: E402
from wait_conditions import signal_wait_condition, wait_for_the_wait_condition  # noqa: E402

REGION = "us-east-1"
TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Description: settle-notice benchmark, a create held busy by a wait condition until the benchmark signals it
Resources:
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  Wait:
    Type: AWS::CloudFormation::WaitCondition
    Properties:
      Handle: !Ref Handle
      Timeout: '600'
"""
ROLE_PLAYBOOK = """---
- name: Benchmark, the collection's deploy path
  hosts: all
  gather_facts: false
  roles:
    - role: aichef.dynamodb.dynamodb_stack
      vars:
        dynamodb_stack_name: "{{ stack_name }}"
        dynamodb_stack_template_path: "{{ template_path }}"
"""
BARE_PLAYBOOK = """---
- name: Benchmark, amazon.aws.cloudformation alone
  hosts: all
  gather_facts: false
  tasks:
    - name: Deploy
      amazon.aws.cloudformation:
        stack_name: "{{ stack_name }}"
        state: present
        template_body: "{{ lookup('ansible.builtin.file', template_path) }}"
        region: "{{ dynamodb_stack_aws_region }}"
        endpoint_url: "{{ dynamodb_stack_aws_endpoint_url }}"
        access_key: "{{ dynamodb_stack_aws_access_key }}"
        secret_key: "{{ dynamodb_stack_aws_secret_key }}"
"""


class Stacks:
    def __init__(self, port):
        self.endpoint = "http://127.0.0.1:%d" % port
        self.port = port
        self.cfn = boto3.client("cloudformation", region_name=REGION, endpoint_url=self.endpoint,
                                aws_access_key_id="bench", aws_secret_access_key="bench")

    def settled_at(self, stack_name, timeout=60):
        """perf_counter() when the stack is first seen out of CREATE_IN_PROGRESS (polled every 20 ms)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
            if status != "CREATE_IN_PROGRESS":
                if status != "CREATE_COMPLETE":
                    raise SystemExit("stack %s ended %s" % (stack_name, status))
                return time.perf_counter()
            time.sleep(0.02)
        raise SystemExit("stack %s did not settle" % stack_name)

    def delete(self, stack_name):
        self.cfn.delete_stack(StackName=stack_name)


def hold_then_signal(stacks, stack_name, hold):
    handle = wait_for_the_wait_condition(stacks.cfn, stack_name, timeout=120)["Handle"]
    time.sleep(hold)
    signal_wait_condition(handle, "SUCCESS", unique_id="benchmark")
    return stacks.settled_at(stack_name)


def playbook_lag(stacks, playbook, stack_name, template_path, hold):
    env = dict(os.environ, AICHEF_EMULATOR_PORT=str(stacks.port), ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
    extra = json.dumps(dict(stack_name=stack_name, template_path=template_path))
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local",
                                    playbook, "-e", extra], cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
        settled = hold_then_signal(stacks, stack_name, hold)
        returncode = process.wait()
        ended = time.perf_counter()
        if returncode != 0:
            output.seek(0)
            raise SystemExit("%s failed:\n%s" % (playbook, output.read().decode()))
    return ended - settled


def waiter_lag(stacks, stack_name, template_body, hold):
    """botocore's waiter with its defaults, as `aws cloudformation wait stack-create-complete` runs it."""
    stacks.cfn.create_stack(StackName=stack_name, TemplateBody=template_body)
    with ThreadPoolExecutor(max_workers=1) as pool:
        settled = pool.submit(hold_then_signal, stacks, stack_name, hold)
        stacks.cfn.get_waiter("stack_create_complete").wait(StackName=stack_name)
        ended = time.perf_counter()
        return ended - settled.result()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=4633)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-waiter", action="store_true", help="skip the 30 s waiter (it dominates the run time)")
    args = parser.parse_args()
    holds = [random.Random(args.seed + run).uniform(1.0, 9.0) for run in range(args.runs)]

    emulator.stop(args.port)
    emulator.start(args.port)
    lags = {"collection role (async + progress)": [], "bare amazon.aws.cloudformation": [],
            "botocore waiter (aws cloudformation wait)": []}
    try:
        stacks = Stacks(args.port)
        with tempfile.TemporaryDirectory(prefix="bench-settle-") as directory:
            template_path = os.path.join(directory, "template.yaml")
            role_playbook = os.path.join(directory, "role.yml")
            bare_playbook = os.path.join(directory, "bare.yml")
            for path, text in ((template_path, TEMPLATE), (role_playbook, ROLE_PLAYBOOK),
                               (bare_playbook, BARE_PLAYBOOK)):
                with open(path, "w") as handle:
                    handle.write(text)
            for run, hold in enumerate(holds):  # interleaved: machine drift hits every way alike
                for label, playbook in (("collection role (async + progress)", role_playbook),
                                        ("bare amazon.aws.cloudformation", bare_playbook)):
                    stack_name = "settle-%s-%d" % (label.split()[0], run)
                    lags[label].append(playbook_lag(stacks, playbook, stack_name, template_path, hold))
                    stacks.delete(stack_name)
                if not args.no_waiter:
                    stack_name = "settle-waiter-%d" % run
                    lags["botocore waiter (aws cloudformation wait)"].append(
                        waiter_lag(stacks, stack_name, TEMPLATE, hold))
                    stacks.delete(stack_name)
    finally:
        emulator.stop(args.port)

    baseline = statistics.median(lags["bare amazon.aws.cloudformation"])
    print("time from the stack settling to the deploy reporting it, median of %d runs (holds %s s):" % (
        args.runs, ", ".join("%.1f" % hold for hold in holds)))
    for label, samples in lags.items():
        if samples:
            print("  %-42s %6.2f s  ratio %.2f  (runs: %s)" % (
                label, statistics.median(samples), statistics.median(samples) / baseline,
                ", ".join("%.2f" % sample for sample in samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
