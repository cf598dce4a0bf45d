# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check, the unit of a verification result, and how checks are counted.

A check is {name, status, expected, actual, reason}; status is one of PASS, FAIL and UNSUPPORTED (what each means
is in verification.py's module docstring). Every other _verify file builds its checks with the helpers here, so
the shape and the allowed statuses are enforced in one place.
"""

PASS = "pass"
FAIL = "fail"
UNSUPPORTED = "unsupported"
CHECK_STATUSES = (PASS, FAIL, UNSUPPORTED)

# The actual value of a check whose subject is missing: the live resource, or the stack's record of it.
ABSENT = "absent"
NOT_IN_STACK = "not in the stack"


def make_check(name, status, expected, actual, reason=""):
    if status not in CHECK_STATUSES:
        raise ValueError("unknown check status %r" % (status,))
    return dict(name=name, status=status, expected=expected, actual=actual, reason=reason)


def compare(name, expected, actual, reason=""):
    """pass when expected == actual, else fail (with reason)."""
    if expected == actual:
        return make_check(name, PASS, expected, actual)
    return make_check(name, FAIL, expected, actual, reason)


def unresolvable(name, error):
    return make_check(name, UNSUPPORTED, "(cannot resolve)", None,
                      "this verifier cannot resolve %s in the template" % error)


def count_checks(checks):
    counts = dict((status, 0) for status in CHECK_STATUSES)
    for check in checks:
        counts[check["status"]] += 1
    return counts
