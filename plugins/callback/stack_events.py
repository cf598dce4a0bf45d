# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: stack_events
type: aggregate
short_description: Print CloudFormation stack events as a deploy advances
version_added: 0.1.0
description:
  - When M(aichef.dynamodb.cloudformation_stack_progress) is run in a caller's own C(until) loop (without
    O(aichef.dynamodb.cloudformation_stack_progress#module:wait_timeout)), prints each stack event once, as it
    appears (resource, status, reason), the way rain and the CDK show a deploy.
  - Not needed for the role, whose follow step prints the events itself in any C(ansible.cfg). Prints nothing for
    other tasks. Enable it with C(callbacks_enabled = aichef.dynamodb.stack_events) in C(ansible.cfg).
requirements:
  - enabled in configuration
author:
  - AI Chef platform team (@aichef)
"""

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "aichef.dynamodb.stack_events"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._printed = {}  # (task uuid, host) -> number of event lines already printed

    def _print_new_lines(self, result):
        lines = result._result.get("event_lines")
        if not isinstance(lines, list) or result._result.get("event_lines_shown"):
            return  # the follow action already printed them as they appeared
        key = (result._task._uuid, result._host.get_name())
        for line in lines[self._printed.get(key, 0):]:
            self._display.display("    %s | %s" % (result._host.get_name(), line))
        self._printed[key] = len(lines)

    def v2_runner_retry(self, result):
        self._print_new_lines(result)

    def v2_runner_on_ok(self, result):
        self._print_new_lines(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._print_new_lines(result)
