# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""System errors (HTTP 500 from DynamoDB): the one rule outside the guide's four problems.

A rule of its own because the cause is on AWS's side, not in the table's design or capacity: its advice is to
let the SDKs retry and to check the AWS Health Dashboard.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import RULE_SYSTEM_ERRORS
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import SYSTEM_ERRORS_PROBLEM
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import finding
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.findings import number_text
from ansible_collections.aichef.dynamodb.plugins.module_utils._diagnose.metric_series import SYSTEM_ERRORS


def system_errors_finding(summary, series, thresholds):
    """Not one of the guide's four, but one of its key metrics: SystemErrors (HTTP 500 from DynamoDB) summed over
    the operations and the whole window; fires above system_errors (default 0: any)."""
    name = summary["table_name"]
    threshold = thresholds["system_errors"]
    operations = series.operations(SYSTEM_ERRORS)
    per_operation = dict((operation, sum(series.values(SYSTEM_ERRORS, operation=operation)))
                         for operation in operations)
    total = sum(per_operation.values())
    if total <= threshold:
        return finding(name, SYSTEM_ERRORS_PROBLEM, RULE_SYSTEM_ERRORS, False, "system_errors", threshold,
                       total, "Table %s: %s system errors in the window (threshold system_errors = %s)." % (
                           name, number_text(total), number_text(threshold)))
    detail = ", ".join("%s %s" % (operation, number_text(count)) for operation, count in per_operation.items()
                       if count)
    message = ("Table %s: DynamoDB answered %s requests with an internal error (HTTP 500) in the window (%s; more "
               "than system_errors = %s). These are on AWS's side: the SDKs retry them; if they persist, check the "
               "AWS Health Dashboard." % (name, number_text(total), detail, number_text(threshold)))
    return finding(name, SYSTEM_ERRORS_PROBLEM, RULE_SYSTEM_ERRORS, True, "system_errors", threshold,
                   total, message)
