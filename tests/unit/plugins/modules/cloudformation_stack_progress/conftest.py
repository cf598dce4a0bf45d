"""Fixtures for the cloudformation_stack_progress tests: the module's options, the async job's results file and
main() run on them."""
import json

import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import module_runner

JOB_ID = "j628403941225.4051"


class JobResultsFile:
    """The results file of an async task, written the way ansible-core's async_wrapper writes it."""

    def __init__(self, path):
        self.path = str(path)

    def running(self):
        self._write({"started": 1, "finished": 0, "ansible_job_id": JOB_ID})
        return self

    def finished(self, **result):
        """The module's own result once it has ended (async_status adds finished: 1 when it reads it)."""
        self._write(dict(result, finished=1, ansible_job_id=JOB_ID))
        return self

    def _write(self, data):
        with open(self.path, "w") as handle:
            json.dump(data, handle)


@pytest.fixture
def job_file(tmp_path):
    return JobResultsFile(tmp_path / JOB_ID)


@pytest.fixture
def progress_params(job_file):
    """callable(**overrides) -> the module's option values; the job's results file is job_file's path."""
    def make(**overrides):
        params = dict(stack_name=STACK_NAME, after_event_id="", job_results_file=job_file.path, window=20,
                      backoff_retries=3, backoff_delay=1, backoff_max_delay=1)
        params.update(overrides)
        return params
    return make


@pytest.fixture
def run_main(capsys, job_file):
    """callable(**args) -> (rc, result) of main() following the team stack in us-east-1 and reading job_file."""
    return module_runner(module.main, capsys, stack_name=STACK_NAME, region="us-east-1",
                         job_results_file=job_file.path)
