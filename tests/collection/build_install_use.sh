#!/usr/bin/env bash
# Build the collection tarball, install it into a temporary path, and deploy from a playbook that lives
# outside this checkout and only knows the FQCN aichef.dynamodb.dynamodb_stack (what an ops repo does).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${AICHEF_EMULATOR_PORT:-4582}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

ansible-galaxy collection build "$root" --output-path "$work/dist" >/dev/null
tarball="$(ls "$work"/dist/aichef-dynamodb-*.tar.gz)"
ansible-galaxy collection install --no-deps --force -p "$work/installed" "$tarball" >/dev/null
# amazon.aws comes from its own path; the checkout's .collections (which links this tree) is not used.
mkdir -p "$work/deps/ansible_collections"
ln -s "$root/.collections/ansible_collections/amazon" "$work/deps/ansible_collections/amazon"
export ANSIBLE_COLLECTIONS_PATH="$work/installed:$work/deps"
unset ANSIBLE_CONFIG
cd "$work"  # away from the checkout's ansible.cfg

installed_at="$(ansible-galaxy collection list aichef.dynamodb --format json | python3 -c 'import json,sys; print(next(iter(json.load(sys.stdin))))')"
case "$installed_at" in "$work/installed"*) ;; *) echo "aichef.dynamodb resolved from $installed_at, not the tarball" >&2; exit 1;; esac

cat > "$work/ops-playbook.yml" <<YAML
---
- name: An existing ops playbook that deploys the AI Chef tables
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Deploy through the installed collection
      ansible.builtin.include_role:
        name: aichef.dynamodb.dynamodb_stack
      vars:
        dynamodb_stack_aws_endpoint_url: "http://127.0.0.1:${port}"
        dynamodb_stack_aws_access_key: test
        dynamodb_stack_aws_secret_key: test

    - name: The role published the stack outputs
      ansible.builtin.assert:
        that:
          - dynamodb_stack_outputs.SessionsTableName == 'ai-chef-sessions'
          - dynamodb_stack_outputs.ResultsTableName == 'ai-chef-results'
YAML
python3 "$root/scripts/emulator.py" run --port "$port" -- ansible-playbook "$work/ops-playbook.yml"
echo "collection: built $(basename "$tarball"), installed into a temporary path, deployed through its FQCN"
