# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bounded, backing-off wait for a stack to leave its *_IN_PROGRESS phase.

botocore's CloudFormation waiters poll every 30 s: a stack that settles in 2 s costs 30 s. Here the first
re-check comes after 1 s, each delay grows by half up to 5 s, and the wait never outlives its timeout. Following
a deploy polls faster (follow_delays): there the delay is what the user waits after the stack has settled.
"""

import time

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import BUSY
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.status import lookup_stack_status

FIRST_DELAY_SECONDS = 1.0
DELAY_GROWTH = 1.5
MAX_DELAY_SECONDS = 5.0


# Following a deploy someone watches: the stack settling is noticed within half a second at first and 1 s at most
# later, whatever the operation's length. A poll is two Describe calls, so at most two calls a second (AWSRetry
# backs off if CloudFormation throttles them).
FOLLOW_FIRST_DELAY_SECONDS = 0.5
FOLLOW_MAX_DELAY_SECONDS = 1.0


class StackWaitTimeout(Exception):
    def __init__(self, status, waited_seconds):
        super().__init__("still %s after %.0f s" % (status, waited_seconds))
        self.status = status
        self.waited_seconds = waited_seconds


def poll_delays(first=FIRST_DELAY_SECONDS, growth=DELAY_GROWTH, maximum=MAX_DELAY_SECONDS):
    """1, 1.5, 2.25, 3.375, 5, 5, ... (an endless generator; the caller's deadline bounds it)."""
    delay = first
    while True:
        yield min(delay, maximum)
        delay *= growth


def follow_delays():
    """0.5, 0.75, 1, 1, ... (endless, like poll_delays)."""
    return poll_delays(FOLLOW_FIRST_DELAY_SECONDS, DELAY_GROWTH, FOLLOW_MAX_DELAY_SECONDS)


def wait_until_settled(read_status, timeout, on_poll=None, sleep=time.sleep, clock=time.monotonic):
    """Poll read_status() until its status is no longer busy; return that status.

    read_status: callable returning the current stack status string.
    on_poll: optional callable(status) run after each busy poll (collects new events for progress).
    Raises StackWaitTimeout when timeout seconds pass first.
    """
    started = clock()
    deadline = started + timeout
    delays = poll_delays()
    status = read_status()
    while lookup_stack_status(status).phase == BUSY:
        if on_poll is not None:
            on_poll(status)
        remaining = deadline - clock()
        if remaining <= 0:
            raise StackWaitTimeout(status, clock() - started)
        sleep(min(next(delays), remaining))
        status = read_status()
    return status
