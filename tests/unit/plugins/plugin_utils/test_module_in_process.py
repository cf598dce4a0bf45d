"""When a module may run inside the task's worker: only in the Python running Ansible (plugin_utils.module_in_process).
The whole runner is exercised by tests/integration/test_module_in_process.py, in the worker and as a process."""
import os
import sys

import pytest

from ansible_collections.aichef.dynamodb.plugins.plugin_utils.module_in_process import exit_code
from ansible_collections.aichef.dynamodb.plugins.plugin_utils.module_in_process import same_python


def test_the_python_running_ansible_is_the_same_python():
    assert same_python(sys.executable)


def test_another_name_for_the_same_file_in_the_same_directory_is_the_same_python(tmp_path):
    real = tmp_path / "python3.11"
    real.write_text("")
    os.symlink(str(real), str(tmp_path / "python3"))
    assert same_python(str(tmp_path / "python3"), executable=str(real))


def test_the_same_interpreter_linked_from_another_virtualenv_is_another_python(tmp_path):
    """Another virtualenv has its own boto3, though both link to one interpreter: the module must run there."""
    real = tmp_path / "python3.11"
    real.write_text("")
    for venv in ("one", "two"):
        (tmp_path / venv).mkdir()
        os.symlink(str(real), str(tmp_path / venv / "python"))
    assert not same_python(str(tmp_path / "two" / "python"), executable=str(tmp_path / "one" / "python"))


@pytest.mark.parametrize("interpreter", ["", None, "python3", "auto_silent", "/usr/bin/env python3"])
def test_a_name_to_look_up_or_discover_is_not_taken_for_this_python(interpreter):
    assert not same_python(interpreter, executable="/usr/bin/python3")


@pytest.mark.parametrize("code, status", [(None, 0), (0, 0), (1, 1), (2, 2), ("a message", 1)])
def test_exit_code_is_the_status_sys_exit_gives_a_process(code, status):
    assert exit_code(code) == status
