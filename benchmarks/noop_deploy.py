#!/usr/bin/env python
"""No-op deploy: the collection's deploy playbook vs a bare amazon.aws.cloudformation task, same emulator,
same run. Prints wall time per run (median of N), the ratio, and the AWS API calls each makes.

    .venv/bin/python benchmarks/noop_deploy.py [--runs 5] [--port 4620]
Target (issue 3): ratio <= 1.3 and <= 6 API calls for the whole no-op deploy.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import emulator  # noqa: E402
from counting_proxy import CountingProxy  # noqa: E402
from render_templates import sources  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, ".collections"))
from ansible_collections.aichef.dynamodb.plugins.module_utils.render import render_template_body  # noqa: E402

BARE_PLAYBOOK = """---
- name: Baseline, amazon.aws.cloudformation alone
  hosts: all
  gather_facts: false
  tasks:
    - name: Deploy the team's template
      amazon.aws.cloudformation:
        stack_name: "{{ dynamodb_stack_name | default('ai-chef-dynamodb') }}"
        state: present
        template_body: "{{ lookup('ansible.builtin.file', '%s') }}"
        capabilities: [CAPABILITY_IAM]
        region: "{{ dynamodb_stack_aws_region }}"
        endpoint_url: "{{ dynamodb_stack_aws_endpoint_url }}"
        access_key: "{{ dynamodb_stack_aws_access_key }}"
        secret_key: "{{ dynamodb_stack_aws_secret_key }}"
"""


def run_playbook(playbook, port):
    env = dict(os.environ, AICHEF_EMULATOR_PORT=str(port), ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
    started = time.perf_counter()
    completed = subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local",
                                playbook], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0 or "changed=0" not in completed.stdout:
        raise SystemExit("%s was not a clean no-op:\n%s%s" % (playbook, completed.stdout, completed.stderr))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=4620)
    args = parser.parse_args()

    emulator.stop(args.port)
    emulator.start(args.port)
    proxy = CountingProxy(args.port)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=ROOT, prefix=".bench-") as bare, \
                tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="bench-template-") as template:
            # The same template the role renders from its default tables: both runs are true no-ops.
            _name, tables, settings = next(sources())
            template.write(render_template_body(tables, settings))
            template.flush()
            bare.write(BARE_PLAYBOOK % template.name)
            bare.flush()
            deploy = os.path.join(ROOT, "playbooks", "deploy-dynamodb.yml")
            subprocess.run([os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local", deploy],
                           cwd=ROOT, env=dict(os.environ, AICHEF_EMULATOR_PORT=str(args.port)), check=True,
                           capture_output=True)
            times = {"collection deploy playbook": [], "bare amazon.aws.cloudformation": []}
            calls = {}
            for dummy in range(args.runs):  # interleaved, so drift on the machine hits both alike
                for label, playbook in (("collection deploy playbook", deploy),
                                        ("bare amazon.aws.cloudformation", bare.name)):
                    proxy.take_counts()
                    times[label].append(run_playbook(playbook, proxy.port))
                    calls[label] = proxy.take_counts()
    finally:
        proxy.close()
        emulator.stop(args.port)

    baseline = statistics.median(times["bare amazon.aws.cloudformation"])
    print("no-op deploy, median of %d runs each (same emulator, same run)" % args.runs)
    for label, samples in times.items():
        counted = calls[label]
        print("  %-32s %6.2f s  ratio %.2f  API calls %2d  (%s)" % (
            label, statistics.median(samples), statistics.median(samples) / baseline, sum(counted.values()),
            ", ".join("%s %d" % item for item in sorted(counted.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
