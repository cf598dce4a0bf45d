#!/usr/bin/env bash
# make release: build the collection tarball for the version in galaxy.yml, install it into a temporary path and
# check that the installed copy loads. Never talks to Galaxy (install --no-deps; amazon.aws from .collections).
#   1. the version is semver and released in changelogs/changelog.yaml and CHANGELOG.rst
#      (antsibull-changelog release writes both from the fragments; see README "Releasing")
#   2. ansible-galaxy collection build -> dist/aichef-dynamodb-<version>.tar.gz, without dev files
#   3. ansible-galaxy collection install --no-deps into a temporary path, resolved from there (not this checkout)
#   4. ansible-doc from the installed copy: every module, plugin and role of the checkout, documented, no warning
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${BIN:-$root/.venv/bin}"
export PATH="$bin:$PATH"

version="$("$bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"
[[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] \
  || { echo "galaxy.yml version $version is not semver X.Y.Z" >&2; exit 1; }
antsibull-changelog lint
"$bin/python" - "$version" <<'PY'
import sys, yaml
version = sys.argv[1]
with open("changelogs/changelog.yaml") as handle:
    releases = (yaml.safe_load(handle) or {}).get("releases") or {}
with open("CHANGELOG.rst") as handle:
    rst = handle.read().splitlines()
if version not in releases or "v" + version not in rst:
    sys.exit("version %s is not in changelogs/changelog.yaml and CHANGELOG.rst: run antsibull-changelog release" % version)
PY

mkdir -p dist
ansible-galaxy collection build --force --output-path dist . >/dev/null
tarball="dist/aichef-dynamodb-$version.tar.gz"
[ -f "$tarball" ] || { echo "ansible-galaxy did not write $tarball" >&2; exit 1; }
contents="$(tar -tzf "$tarball")"
# Only collection content (galaxy.yml build_ignore): no venvs, caches, build outputs, CI files, dev tooling
# (Makefile, scripts, benchmarks, requirements files, ansible.cfg), the team's inventories or the dev test layers.
dev_only='^(Makefile|scripts|benchmarks|requirements[^/]*\.txt|requirements\.yml|pyproject\.toml|ansible\.cfg|inventories'
dev_only+='|extensions|tests/(unit|integration|collection|checkov)|changelogs/fragments|\.ci|\.github|\.venv[^/]*'
dev_only+='|\.collections|\.cache|\.run|\.git|\.gitignore|\.ansible-lint|\.checkov\.yml|reports|dist|iam)(/|$)'
if grep -E "$dev_only" <<<"$contents"; then
  echo "$tarball holds development files (listed above): extend build_ignore in galaxy.yml" >&2; exit 1
fi
for required in MANIFEST.json FILES.json LICENSE README.md CHANGELOG.rst changelogs/changelog.yaml meta/runtime.yml \
                meta/execution-environment.yml meta/ee-requirements.txt roles/dynamodb_stack/meta/argument_specs.yml; do
  grep -qx "$required" <<<"$contents" || { echo "$tarball lacks $required" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/deps/ansible_collections"
ln -s "$root/.collections/ansible_collections/amazon" "$work/deps/ansible_collections/amazon"
export ANSIBLE_COLLECTIONS_PATH="$work/installed:$work/deps"
unset ANSIBLE_CONFIG
ansible-galaxy collection install --no-deps --force -p "$work/installed" "$tarball" >/dev/null
cd "$work"  # away from the checkout's ansible.cfg and its collections path

"$bin/python" - "$root" "$work/installed" "$version" <<'PY'
import json, os, subprocess, sys
root, installed, version = sys.argv[1:]
collection = "aichef.dynamodb"
checkout = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(root, ".collections"))


def ansible_doc(*args, env=None):
    done = subprocess.run(["ansible-doc"] + list(args), capture_output=True, text=True, check=False, env=env)
    if done.returncode or done.stderr.strip():
        sys.exit("ansible-doc %s failed:\n%s" % (" ".join(args), done.stderr))
    return json.loads(done.stdout)


listed = json.loads(subprocess.run(["ansible-galaxy", "collection", "list", collection, "--format", "json"],
                                   capture_output=True, text=True, check=True).stdout)
path, found = next(iter(listed.items()))
if not path.startswith(installed) or found[collection]["version"] != version:
    sys.exit("%s resolved to %s %s, not the installed tarball %s" % (collection, path, found, version))

for kind in ("module", "role", "filter", "callback", "lookup", "test", "inventory", "connection"):
    wanted = sorted(ansible_doc("-t", kind, "-l", collection, "--json", env=checkout))
    shown = sorted(ansible_doc("-t", kind, "-l", collection, "--json"))
    if shown != wanted:
        sys.exit("the installed copy lists %s %s, the checkout %s" % (kind, shown, wanted))
    if not wanted:
        continue
    docs = ansible_doc("-t", kind, "--json", *wanted)
    missing = [name for name in wanted if not docs.get(name, {}).get("doc") and not docs.get(name, {}).get("entry_points")]
    if missing:
        sys.exit("no %s documentation in the installed copy for %s" % (kind, ", ".join(missing)))
    print("installed %s %s: %d %s(s) load and are documented" % (collection, version, len(wanted), kind))
PY
echo "release: $tarball built, installed into a temporary path and loaded from there (Galaxy not contacted)"
