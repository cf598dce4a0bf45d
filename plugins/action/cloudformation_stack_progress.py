# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of aichef.dynamodb.cloudformation_stack_progress: follows a stack operation to its end in one
task, printing each stack event as it appears, in any ansible.cfg (no callback to enable, no `until` loop, retry
count or time arithmetic in the caller's YAML).

It runs the module (which reads the events, the stack and the async deploy job) for a short window at a time,
prints the event lines that are new, and stops once the module says the operation settled, failed or ran out of
time. The deadline is computed here, once, from wait_timeout. When the module runs in this worker (the host is
this controller: plugins/plugin_utils/module_in_process.py) a run costs no process start, so the window is 1 s and
each event shows within about a second of CloudFormation writing it.
"""

import os
import time

from ansible_collections.aichef.dynamodb.plugins.plugin_utils.module_in_process import ModuleInProcessAction

MODULE = "aichef.dynamodb.cloudformation_stack_progress"
# Seconds the module follows per run as a process: short enough that events show while they happen, long enough
# that the process's start (about a second) stays a small share of the wait.
WINDOW = 10
# In the worker a run starts at once: the events of each poll are shown as soon as it has read them.
WINDOW_IN_WORKER = 1
# While the operation shows no event yet, "waiting" is printed this often (seconds), not after every run.
WAITING_EVERY = 10


def new_lines(result, printed):
    lines = result.get("event_lines") or []
    return lines[printed:] if isinstance(lines, list) else []


class ActionModule(ModuleInProcessAction):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        wait_timeout = int(args.pop("wait_timeout", 0) or 0)
        if not wait_timeout or args.get("deadline"):
            # One run of the module, as the module alone behaves (a caller with its own loop).
            return dict(result, **self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        deadline = time.time() + wait_timeout
        host = task_vars.get("inventory_hostname", "") if task_vars else ""
        window = WINDOW_IN_WORKER if self._in_process_refusal(task_vars or {}, False) is None else WINDOW
        printed = 0
        index_lines = []
        waiting_shown = 0
        # The worker's parent is ansible-playbook: when it is gone (killed), the follow has no one to report to.
        parent = os.getppid()
        while True:
            outcome = self._execute_module(module_name=MODULE, task_vars=task_vars, module_args=dict(
                args, deadline=deadline, window=min(int(args.get("window") or window), window)))
            for line in new_lines(outcome, printed):
                self._display.display("    %s | %s" % (host, line))
            printed = max(printed, len(outcome.get("event_lines") or []))
            if outcome.get("index_lines") and outcome["index_lines"] != index_lines:
                index_lines = outcome["index_lines"]  # an index backfill advancing: shown when it moves
                for line in index_lines:
                    self._display.display("    %s | %s" % (host, line))
            if outcome.get("failed") or outcome.get("settled") or time.time() >= deadline or os.getppid() != parent:
                break
            if not outcome.get("event_lines") and time.time() - waiting_shown >= WAITING_EVERY:
                waiting_shown = time.time()
                self._display.display("    %s | %s" % (host, outcome.get("msg", "waiting")))
        result.update(outcome)
        result["event_lines_shown"] = True  # printed already: the stack_events callback skips them
        return result
