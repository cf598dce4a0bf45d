#!/usr/bin/env bash
# Build the collection tarball, install it into a temporary path, and deploy from a playbook that lives
# outside this checkout and only knows the FQCN aichef.dynamodb.dynamodb_stack (what an ops repo does).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${AICHEF_EMULATOR_PORT:-4582}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export PATH="$root/.venv/bin:$PATH"  # the Makefile's tools also when run on its own

ansible-galaxy collection build "$root" --output-path "$work/dist" >/dev/null
tarball="$(ls "$work"/dist/aichef-dynamodb-*.tar.gz)"

# The tarball: the license and what an installed collection uses, none of this repository's dev-only files
# (galaxy.yml build_ignore), and complete Galaxy metadata.
contents="$(tar -tzf "$tarball")"
for required in LICENSE README.md CHANGELOG.rst meta/runtime.yml meta/execution-environment.yml \
                meta/ee-requirements.txt roles/dynamodb_stack/meta/argument_specs.yml files/dynamodb-schema.yaml; do
  grep -qx "$required" <<<"$contents" || { echo "$(basename "$tarball") lacks $required" >&2; exit 1; }
done
dev_only='^(Makefile|scripts|benchmarks|requirements[^/]*\.txt|requirements\.yml|pyproject\.toml|ansible\.cfg|inventories'
dev_only+='|extensions|tests/(unit|integration|collection|checkov)|changelogs/fragments|\.ci|\.github|\.venv[^/]*'
dev_only+='|\.collections|\.cache|\.run|\.git|\.gitignore|\.ansible-lint|\.checkov\.yml|reports|dist|iam)(/|$)'
if grep -E "$dev_only" <<<"$contents"; then
  echo "$(basename "$tarball") holds the development files listed above: extend build_ignore in galaxy.yml" >&2; exit 1
fi
tar -xzOf "$tarball" MANIFEST.json | python3 -c '
import json, sys
info = json.load(sys.stdin)["collection_info"]
empty = [key for key in ("repository", "documentation", "homepage", "issues", "license_file", "tags", "dependencies")
         if not info.get(key)]
if empty:
    sys.exit("galaxy.yml leaves %s empty" % ", ".join(empty))'

ansible-galaxy collection install --no-deps --force -p "$work/installed" "$tarball" >/dev/null

# What an execution environment built from the installed copy would get (ansible-builder reads
# meta/execution-environment.yml): the runtime requirements, no development tool. Checked with and without
# --sanitize (which hides pytest, ansible-lint and molecule by itself).
for sanitize in --sanitize ""; do
  # shellcheck disable=SC2086  # an empty $sanitize is no argument
  introspected="$(ansible-builder introspect $sanitize "$work/installed" 2>/dev/null)"
  grep -Eq "^- 'boto3>=" <<<"$introspected" || { echo "ansible-builder introspect lists no boto3:" >&2; echo "$introspected" >&2; exit 1; }
  dev_tools='cfn-lint|parliament|pytest|ansible-lint|checkov|actionlint|molecule|antsibull|shellcheck|ministack|ansible-builder|ansible-core|=='
  if grep -Ei "$dev_tools" <<<"$introspected"; then
    echo "ansible-builder introspect $sanitize lists development requirements or pins (above)" >&2; exit 1
  fi
done
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
# An ops inventory: a web host that the collection's playbooks must never target (its address is unreachable, so
# any task on it fails the run), and the controller in the group the playbooks run on by default.
cat > "$work/ops-inventory.yml" <<YAML
---
all:
  children:
    web:
      hosts:
        web1:
          ansible_host: 192.0.2.10
    dynamodb_deployers:
      hosts:
        localhost:
          ansible_connection: local
          ansible_python_interpreter: "{{ ansible_playbook_python }}"
      vars:
        dynamodb_stack_aws_endpoint_url: "http://127.0.0.1:${port}"
        dynamodb_stack_aws_access_key: test
        dynamodb_stack_aws_secret_key: test
YAML
playbooks="$work/installed/ansible_collections/aichef/dynamodb/playbooks"
# The playbooks by FQCN (names that are identifiers) on the group dynamodb_deployers, and the team's hyphenated file
# (an import_playbook of its neighbour) from the installed copy with -e dynamodb_hosts: localhost only, never web1.
# A three-table stack of the ops team's own (custom names), deployed through include_role, its outputs used, and
# verified in the same play through the role's verify entry point (what the deploy applied: dynamodb_stack_deployed).
cat > "$work/three-tables.yml" <<YAML
---
dynamodb_stack_name: ops-kitchen
dynamodb_stack_table_name_prefix: ops-kitchen-
dynamodb_stack_alarm_name_prefix: Ops-Kitchen-
dynamodb_stack_log_group_name: /aws/dynamodb/ops-kitchen
dynamodb_stack_tables:
  - {name: ops-kitchen-orders, hash_key: {name: orderId, type: S}}
  - {name: ops-kitchen-menus, hash_key: {name: menuId, type: S}}
  - {name: ops-kitchen-pantry, hash_key: {name: itemId, type: S}, range_key: {name: shelf, type: S}}
YAML
python3 - "$work/three-tables.yml" "$work/two-tables.yml" <<'PY'
import sys, yaml
variables = yaml.safe_load(open(sys.argv[1]))
variables["dynamodb_stack_tables"] = variables["dynamodb_stack_tables"][:2]
yaml.safe_dump(variables, open(sys.argv[2], "w"))
PY
cat > "$work/ops-kitchen.yml" <<YAML
---
- name: The ops team's own playbook deploys its kitchen tables and uses them
  hosts: dynamodb_deployers
  gather_facts: false
  tasks:
    - name: Deploy through the installed collection's role
      ansible.builtin.include_role:
        name: aichef.dynamodb.dynamodb_stack
        tasks_from: deploy
      vars:
        dynamodb_stack_verify_report_dir: ""

    - name: Use an output of the stack
      ansible.builtin.assert:
        that:
          - dynamodb_stack_outputs.PantryTableName == 'ops-kitchen-pantry'
          - dynamodb_stack_deployed.stack_name == 'ops-kitchen'
          - dynamodb_stack_deployed.tables | length == 3

    - name: Verify what was just deployed
      ansible.builtin.include_role:
        name: aichef.dynamodb.dynamodb_stack
        tasks_from: verify
YAML
# The ops folder's own minimal ansible.cfg: its inventory, nothing of this checkout's (no callback enabled).
printf '[defaults]\ninventory = %s\n' "$work/ops-inventory.yml" > "$work/ansible.cfg"
cat > "$work/ops-run.sh" <<SH
set -euo pipefail
cd "$work"
export ANSIBLE_CONFIG="$work/ansible.cfg"
ansible-playbook "$work/ops-playbook.yml"
ansible-playbook aichef.dynamodb.deploy_dynamodb | tee "$work/deploy.log"
ansible-playbook aichef.dynamodb.verify_dynamodb | tee "$work/verify.log"
ansible-playbook "$playbooks/verify-dynamodb.yml" -e dynamodb_hosts=localhost | tee "$work/verify-wrapper.log"
ansible-playbook "$work/ops-kitchen.yml" -e @three-tables.yml | tee "$work/kitchen.log"
ansible-playbook aichef.dynamodb.verify_dynamodb -e @three-tables.yml -e dynamodb_stack_verify_report_dir=kitchen-reports \
  | tee "$work/kitchen-verify.log"
if ansible-playbook aichef.dynamodb.verify_dynamodb -e @two-tables.yml > "$work/kitchen-two.log" 2>&1; then
  echo "verify against a two-table declaration passed on the three-table stack" >&2; exit 1
fi
SH
python3 "$root/scripts/emulator.py" run --port "$port" -- bash "$work/ops-run.sh"
for log in deploy verify verify-wrapper kitchen-verify; do
  grep -Eq '^localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/$log.log" \
    || { echo "$log by FQCN: no clean recap for localhost (a deploy after the role's must change nothing)" >&2; exit 1; }
done
grep -Eq '^localhost +: ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0' "$work/kitchen.log" \
  || { echo "the ops playbook did not deploy and verify its three tables" >&2; exit 1; }
grep -q "ops-kitchen-pantry" "$work/kitchen-two.log" \
  || { echo "verify against two tables failed without naming the third table ops-kitchen-pantry" >&2; exit 1; }
for report in verify.junit.xml verify.md; do
  [ -s "$work/kitchen-reports/$report" ] || { echo "no $report in kitchen-reports/ under the run directory" >&2; exit 1; }
done
for log in deploy verify verify-wrapper kitchen kitchen-verify kitchen-two; do
  if grep -q web1 "$work/$log.log"; then echo "$log touched the web host web1" >&2; exit 1; fi
done
echo "collection: built $(basename "$tarball") (LICENSE, no dev files, runtime-only EE requirements), installed into a" \
     "temporary path, deployed through its FQCN role, then deploy and verify playbooks by FQCN on dynamodb_deployers only;" \
     "a three-table stack of an ops playbook's own deployed, used and verified; verify against two tables fails naming the third"
