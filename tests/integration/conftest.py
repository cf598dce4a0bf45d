"""Integration fixtures: a fresh emulator for the session, boto3 clients on it, and a playbook runner."""
import json
import os
import re
import subprocess
import sys

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import emulator  # noqa: E402  (scripts/emulator.py: stdlib only)

PORT = int(os.environ.get("AICHEF_EMULATOR_PORT", "4580"))
ENDPOINT = "http://127.0.0.1:%d" % PORT
REGION = "us-east-1"


@pytest.fixture(scope="session")
def endpoint():
    emulator.stop(PORT)
    emulator.start(PORT)
    yield ENDPOINT
    emulator.stop(PORT)


def aws_client(service):
    return boto3.client(service, region_name=REGION, endpoint_url=ENDPOINT,
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def cfn(endpoint):
    return aws_client("cloudformation")


@pytest.fixture
def ddb(endpoint):
    return aws_client("dynamodb")


RECAP_PATTERN = re.compile(r"^localhost\s+:\s+(.*)$", re.MULTILINE)


class PlaybookRun:
    """A finished ansible-playbook run: exit code, whole output, and the localhost recap counters."""

    def __init__(self, completed):
        self.returncode = completed.returncode
        self.output = completed.stdout + completed.stderr
        recaps = RECAP_PATTERN.findall(completed.stdout)
        self.stats = dict((key, int(value)) for key, value in
                          (pair.split("=") for pair in recaps[-1].split())) if recaps else {}

    @property
    def changed(self):
        return self.stats["changed"]


@pytest.fixture
def run_playbook(endpoint):
    def run(playbook, *args, extra_vars=None):
        command = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/local",
                   os.path.join("playbooks", playbook)] + list(args)
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        env = dict(os.environ, AICHEF_EMULATOR_PORT=str(PORT),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"))
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        return PlaybookRun(completed)
    return run
