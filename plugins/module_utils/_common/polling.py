# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every wait of the collection: read something until it is done, sleeping between reads, never past a deadline.

botocore's CloudFormation waiters poll every 30 s: a stack that settles in 2 s costs 30 s. Here the first re-check
comes after 1 s and each delay grows by half up to 5 s (poll_delays); following a deploy someone watches polls
faster (follow_delays), since there the delay is what the user waits after the stack has settled. A stack
settling, a change set, a drift detection, an export and an import all wait through poll_until, each raising its
own error from PollTimeout.
"""

import time

FIRST_DELAY_SECONDS = 1.0
DELAY_GROWTH = 1.5
MAX_DELAY_SECONDS = 5.0
# Following a deploy: the stack settling is noticed within half a second at first and 1 s at most later, whatever
# the operation's length. A poll is two Describe calls, so at most two calls a second (AWSRetry backs off if
# CloudFormation throttles them).
FOLLOW_FIRST_DELAY_SECONDS = 0.5
FOLLOW_MAX_DELAY_SECONDS = 1.0


class PollTimeout(Exception):
    """The wait's deadline passed; value is the last one read."""

    def __init__(self, value, waited_seconds):
        super().__init__("not done after %.0f s" % waited_seconds)
        self.value = value
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


def poll_until(read, done, timeout, delays=None, on_poll=None, sleep=time.sleep, clock=time.monotonic):
    """read() until done(value), then return that value.

    delays: the seconds to sleep between reads (poll_delays() when None); a sleep never runs past the deadline.
    on_poll: optional callable(value) run after each read that is not done (collects progress).
    Raises PollTimeout with the last value once timeout seconds have passed.
    """
    started = clock()
    deadline = started + timeout
    delays = poll_delays() if delays is None else delays
    value = read()
    while not done(value):
        if on_poll is not None:
            on_poll(value)
        remaining = deadline - clock()
        if remaining <= 0:
            raise PollTimeout(value, clock() - started)
        sleep(min(next(delays), remaining))
        value = read()
    return value
