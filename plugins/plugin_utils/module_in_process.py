# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs this collection's modules inside the task's worker process when the host is this controller.

Why: every module task normally costs a new Python process. Ansible builds the module's AnsiballZ payload (about
0.5 s per module and run: it parses and zips some 80 module_utils files), starts Python, imports ansible's
module_utils and boto3 again, then reads the result back. A deploy of the role runs three such modules where a bare
amazon.aws.cloudformation task runs one (docs/performance.md has the figures).

When the task runs on the controller itself (connection local), as the same user (no become), in the same Python
(ansible_python_interpreter is the Python running Ansible) and with no task environment, the module process would
run exactly here. The worker is a process Ansible forks for this one task and discards after it, so running the
module in it gives the same result, the same arguments, check mode and no_log handling (AnsibleModule does them),
without that cost. ansible.netcommon does the same for network modules (its import_modules option).

Anywhere else (another host, become, async, a task environment, another interpreter, an ansible-core before 2.19,
or the host variable aichef_dynamodb_in_process set to false) the module runs as a process, as usual.
"""

import contextlib
import io
import json
import os
import runpy
import sys
import traceback

from ansible.module_utils import basic
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

try:
    from ansible.module_utils.common.json import Direction
    from ansible.module_utils.common.json import get_module_encoder
except ImportError:  # ansible-core before 2.19: its modules read their arguments another way
    get_module_encoder = None

COLLECTION = "aichef.dynamodb"
# The host variable that turns running in the worker off (true by default).
SWITCH = "aichef_dynamodb_in_process"
# This collection's modules declare no serialization profile: Ansible gives them this one.
PROFILE = "legacy"


def same_python(interpreter, executable=None):
    """Whether the interpreter path names the Python running Ansible: the same path, or another name for the same
    file in the same directory (python3 beside python in a virtualenv). A different directory is a different
    environment, with its own boto3, even when both link to one interpreter."""
    executable = executable or sys.executable
    if not interpreter or not os.path.isabs(interpreter):
        return False
    wanted, running = os.path.abspath(interpreter), os.path.abspath(executable)
    return wanted == running or (os.path.dirname(wanted) == os.path.dirname(running)
                                 and os.path.realpath(wanted) == os.path.realpath(running))


def exit_code(code):
    """The exit status sys.exit(code) gives a process."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


class ModuleInProcessAction(ActionBase):
    """An action plugin whose _execute_module runs this collection's modules in the worker when the host is this
    controller (see the module docstring), and as a process otherwise."""

    def _in_process_refusal(self, task_vars, wrap_async):
        """None when the module would run in this very Python, else why not (shown with -vvv)."""
        if get_module_encoder is None or not hasattr(basic, "_ANSIBLE_PROFILE"):
            return "this ansible-core passes module arguments another way"
        if not boolean(self._templar.template(task_vars.get(SWITCH, True)), strict=False):
            return "%s is false" % SWITCH
        if wrap_async or self._task.async_val:
            return "the task runs in the background (async)"
        if getattr(self._connection, "transport", None) != "local":
            return "the host is reached through the %s connection" % getattr(self._connection, "transport", "?")
        if self._play_context.become:
            return "the task becomes another user"
        if self._compute_environment_string():
            return "the task sets an environment"
        # A delegated task runs with the delegated host's interpreter, as Ansible picks it (ActionBase._configure_module).
        host_vars = task_vars
        if self._task.delegate_to:
            host_vars = (task_vars.get("ansible_delegated_vars") or {}).get(self._task.delegate_to, {})
        interpreter = self._templar.template(host_vars.get("ansible_python_interpreter", ""))
        if not same_python(interpreter):
            return "ansible_python_interpreter (%s) is not the Python running Ansible (%s)" % (interpreter, sys.executable)
        return None

    def _collection_module(self, module_name):
        """The Python name of the module when it is one of this collection's, else None."""
        context = self._shared_loader_obj.module_loader.find_plugin_with_context(
            module_name, collection_list=self._task.collections)
        if not context.resolved or context.plugin_resolved_collection != COLLECTION:
            return None
        return context.plugin_resolved_name  # for a collection's plugin, its Python name

    def _execute_module(self, module_name=None, module_args=None, tmp=None, task_vars=None, persist_files=False,
                        delete_remote_tmp=None, wrap_async=False, **kwargs):
        module_name = module_name or self._task.action
        task_vars = task_vars if task_vars is not None else {}
        python_name = self._collection_module(module_name)
        refusal = self._in_process_refusal(task_vars, wrap_async) if python_name else "not a module of this collection"
        if refusal:
            self._display.vvv("%s runs as a process: %s" % (module_name, refusal))
            return super()._execute_module(module_name=module_name, module_args=module_args, tmp=tmp,
                                           task_vars=task_vars, persist_files=persist_files,
                                           delete_remote_tmp=delete_remote_tmp, wrap_async=wrap_async, **kwargs)
        if module_args is None:
            module_args = self._task.args
        # The same internal arguments (check mode, diff, no_log, verbosity...) as for a module process.
        self._update_module_args(module_name, module_args, task_vars)
        self._display.vvv("%s runs in the worker (the host is this controller, in this Python)" % module_name)
        return self._run_in_worker(python_name, module_args)

    def _run_in_worker(self, python_name, module_args):
        """Runs the module as AnsiballZ would (its file as __main__, the arguments where AnsibleModule reads them) and
        reads its result as Ansible reads a module process's output."""
        encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
        arguments = json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args), cls=encoder).encode()
        output = io.StringIO()
        saved = basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = arguments, PROFILE
        try:
            with contextlib.redirect_stdout(output):
                runpy.run_module(python_name, run_name="__main__", alter_sys=True)
            code = 1  # a module must exit through exit_json or fail_json; falling off its end is a failure
        except SystemExit as exited:
            code = exit_code(exited.code)
        except Exception as error:  # pylint: disable=broad-exception-caught
            # What AnsiballZ reports for a module that raised: a failed result, with the traceback.
            return dict(failed=True, msg="%s raised %s: %s" % (python_name, type(error).__name__, error),
                        exception=traceback.format_exc())
        finally:
            basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = saved
        data = self._parse_returned_data(dict(rc=code, stdout=output.getvalue(), stderr=""), PROFILE)
        data.pop("_ansible_suppress_tmpdir_delete", None)
        remove_internal_keys(data)
        return data


class ModuleAction(ModuleInProcessAction):
    """The action of each of this collection's modules (plugins/action/<module>.py): it runs the module once, as
    ansible.builtin.normal does, in the worker or as a process."""

    # Each module declares its own check mode support; AnsibleModule enforces it, as in a module process.
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
