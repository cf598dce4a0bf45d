#!/usr/bin/env bash
# Lay out the collections path every tool uses (ansible-playbook, ansible-lint, molecule, pytest, ansible-test):
#   .collections/ansible_collections/aichef/dynamodb -> this checkout
#   .collections/ansible_collections/amazon/aws      <- unzipped from the PyPI `ansible` wheel
# Galaxy is unreachable here; amazon.aws ships inside the `ansible` bundle on PyPI, so we download that wheel
# once (cached in .cache/) and unzip only amazon.aws out of it. Its code is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ANSIBLE_BUNDLE_VERSION="${ANSIBLE_BUNDLE_VERSION:-12.3.0}"   # ships amazon.aws 10.1.2
AMAZON_AWS_VERSION="${AMAZON_AWS_VERSION:-10.1.2}"
PIP="${PIP:-.venv/bin/pip}"
root=.collections/ansible_collections

mkdir -p "$root/aichef" "$root/amazon"
ln -sfn ../../.. "$root/aichef/dynamodb"

if [ -f "$root/amazon/aws/MANIFEST.json" ] && grep -q "\"version\": \"$AMAZON_AWS_VERSION\"" "$root/amazon/aws/MANIFEST.json"; then
  exit 0
fi
wheel=".cache/wheels/ansible-${ANSIBLE_BUNDLE_VERSION}-py3-none-any.whl"
if [ ! -f "$wheel" ]; then
  "$PIP" download --quiet --no-deps "ansible==${ANSIBLE_BUNDLE_VERSION}" -d .cache/wheels
fi
rm -rf "$root/amazon/aws" .cache/unzip
python3 - "$wheel" .cache/unzip <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as bundle:
    members = [n for n in bundle.namelist() if n.startswith("ansible_collections/amazon/aws/")]
    bundle.extractall(sys.argv[2], members)
PY
mv .cache/unzip/ansible_collections/amazon/aws "$root/amazon/aws"
rm -rf .cache/unzip
grep -q "\"version\": \"$AMAZON_AWS_VERSION\"" "$root/amazon/aws/MANIFEST.json" \
  || { echo "expected amazon.aws $AMAZON_AWS_VERSION in ansible $ANSIBLE_BUNDLE_VERSION" >&2; exit 1; }
echo "amazon.aws $AMAZON_AWS_VERSION installed into $root/amazon/aws"
