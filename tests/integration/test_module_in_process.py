"""The collection's modules run inside the task's worker when the host is this controller, in this Python, and as
a process otherwise (plugins/plugin_utils/module_in_process.py); both ways give the same result.

One playbook runs the same module tasks in the worker and as a process (the switch variable off, or a task
environment set), for a stack that exists, in check mode and for bad input, and writes every registered result to
a file; -vvv says which way each ran, and only a process run transfers a module file.
"""
import json

PLAYBOOK = """---
- name: The same module tasks in the worker and as a process
  hosts: dynamodb_deployers
  gather_facts: false
  module_defaults:
    group/aichef.dynamodb.aws:
      region: "{{ dynamodb_stack_aws_region }}"
      endpoint_url: "{{ dynamodb_stack_aws_endpoint_url }}"
      access_key: "{{ dynamodb_stack_aws_access_key }}"
      secret_key: "{{ dynamodb_stack_aws_secret_key }}"
  tasks:
    - name: Read the stack, in the worker
      aichef.dynamodb.dynamodb_stack_info:
        stack_name: "%(stack)s"
      register: info_in_worker

    - name: Read the stack, as a process (switched off)
      aichef.dynamodb.dynamodb_stack_info:
        stack_name: "%(stack)s"
      vars:
        aichef_dynamodb_in_process: false
      register: info_as_process

    - name: Read the stack, as a process (a task environment)
      aichef.dynamodb.dynamodb_stack_info:
        stack_name: "%(stack)s"
      environment:
        AICHEF_IN_PROCESS_TEST: "1"
      register: info_with_environment

    - name: Read the stack, delegated to localhost (its interpreter is the Python running Ansible)
      aichef.dynamodb.dynamodb_stack_info:
        stack_name: "%(stack)s"
      delegate_to: localhost
      register: info_delegated

    - name: Recover in check mode, in the worker
      aichef.dynamodb.cloudformation_stack_recovery:
        stack_name: "%(stack)s"
        template_body: "{{ lookup('ansible.builtin.file', '%(template)s') }}"
      check_mode: true
      register: check_in_worker

    - name: Recover in check mode, as a process
      aichef.dynamodb.cloudformation_stack_recovery:
        stack_name: "%(stack)s"
        template_body: "{{ lookup('ansible.builtin.file', '%(template)s') }}"
      check_mode: true
      vars:
        aichef_dynamodb_in_process: false
      register: check_as_process

    - name: Bad input, in the worker
      aichef.dynamodb.cloudformation_stack_recovery:
        stack_name: 1bad_name
        template_body: "Resources: {}"
      ignore_errors: true
      register: bad_in_worker

    - name: Bad input, as a process
      aichef.dynamodb.cloudformation_stack_recovery:
        stack_name: 1bad_name
        template_body: "Resources: {}"
      vars:
        aichef_dynamodb_in_process: false
      ignore_errors: true
      register: bad_as_process

    - name: Write the results
      ansible.builtin.copy:
        content: "{{ dict(info_in_worker=info_in_worker, info_as_process=info_as_process,
                          info_with_environment=info_with_environment, info_delegated=info_delegated,
                          check_in_worker=check_in_worker,
                          check_as_process=check_as_process, bad_in_worker=bad_in_worker,
                          bad_as_process=bad_as_process) | to_json }}"
        dest: "%(results)s"
        mode: "0600"
"""


def test_modules_run_in_the_worker_on_this_controller_and_give_what_a_module_process_gives(
        deploy, run_playbook, render_template, stack_name, tmp_path):
    template = render_template("good.yaml")
    deployed = deploy(extra_vars=dict(dynamodb_stack_name=stack_name, dynamodb_stack_template_path=template))
    assert deployed.returncode == 0, deployed.output
    playbook, results = tmp_path / "in_process.yml", tmp_path / "results.json"
    playbook.write_text(PLAYBOOK % dict(stack=stack_name, template=template, results=results))

    run = run_playbook(str(playbook), "-vvv")

    assert run.returncode == 0, run.output
    lines = run.output.splitlines()
    in_worker = [line for line in lines if " runs in the worker " in line]
    as_process = [line for line in lines if " runs as a process: " in line]
    assert len(in_worker) == 4, in_worker
    assert sorted(line.split(": ", 1)[1] for line in as_process) == sorted(
        ["aichef_dynamodb_in_process is false"] * 3 + ["the task sets an environment"]), as_process
    # Only a module process has a module file built and transferred.
    transferred = [line for line in lines if line.startswith("Using module file ") and "/aichef/dynamodb/" in line]
    assert len(transferred) == 4, transferred

    found = json.loads(results.read_text())
    info = found["info_in_worker"]
    assert info["stack"]["stack_status"] == "CREATE_COMPLETE", info
    assert [table["table_name"] for table in info["tables"]] == sorted(
        "%s-%s" % (stack_name, name) for name in ("results", "sessions")), info["tables"]
    # Whole results, arguments (invocation) included: identical whichever way the module ran.
    assert found["info_as_process"] == info
    assert found["info_with_environment"] == info
    assert found["info_delegated"] == info
    check = found["check_in_worker"]
    assert not check.get("failed") and not check["changed"] and not check["deploy_needed"], check
    assert found["check_as_process"] == check
    for way in ("bad_in_worker", "bad_as_process"):
        assert found[way]["failed"] and "Invalid stack name '1bad_name'" in found[way]["msg"], found[way]
    assert found["bad_in_worker"] == found["bad_as_process"]
