# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bounded, backing-off wait for a stack to leave its *_IN_PROGRESS phase (_common/polling.py's poll_until)."""

import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import PollTimeout
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.polling import poll_until
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import BUSY
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import lookup_stack_status


class StackWaitTimeout(Exception):
    def __init__(self, status, waited_seconds):
        super().__init__("still %s after %.0f s" % (status, waited_seconds))
        self.status = status
        self.waited_seconds = waited_seconds


def wait_until_settled(read_status, timeout, on_poll=None, sleep=time.sleep, clock=time.monotonic):
    """Poll read_status() until its status is no longer busy; return that status.

    read_status: callable returning the current stack status string.
    on_poll: optional callable(status) run after each busy poll (collects new events for progress).
    Raises StackWaitTimeout when timeout seconds pass first.
    """
    try:
        return poll_until(read_status, lambda status: lookup_stack_status(status).phase != BUSY, timeout,
                          on_poll=on_poll, sleep=sleep, clock=clock)
    except PollTimeout as e:
        raise StackWaitTimeout(e.value, e.waited_seconds) from None
