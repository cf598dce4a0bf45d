# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's checks of billing: the table's billing mode, and the read/write capacities that must follow it
on the table and on each global secondary index.

One place for the rule because the table sets the mode and its indexes obey it: schema_lint_indexes.py calls
check_capacities for each global secondary index once the table's mode is known.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_choice

BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
DEFAULT_BILLING_MODE = "PAY_PER_REQUEST"
CAPACITY_FIELDS = ("read_capacity", "write_capacity")


def check_billing(table):
    mode = table.entry.get("billing_mode")
    if mode is None:
        mode = DEFAULT_BILLING_MODE
    elif not check_choice(table, mode, "billing_mode", BILLING_MODES):
        return
    table.billing_mode = mode
    check_capacities(table, table.entry, "")


def check_capacities(table, mapping, prefix):
    """Capacities follow the table's billing mode: both required with PROVISIONED, neither with PAY_PER_REQUEST
    (CloudFormation rejects a throughput on an on-demand table or index)."""
    for field in CAPACITY_FIELDS:
        value = mapping.get(field)
        if table.billing_mode == "PROVISIONED":
            if value is None:
                table.error(prefix + field, "%s is required because the table's billing_mode is PROVISIONED; set "
                                            "it to a whole number of at least 1, or use PAY_PER_REQUEST."
                            % field)
            elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
                table.error(prefix + field, "%s must be a whole number of at least 1, got %s."
                            % (field, describe(value)))
        elif value is not None:
            table.error(prefix + field, "%s is not allowed because the table's billing_mode is PAY_PER_REQUEST; "
                                        "remove it, or set billing_mode: PROVISIONED on the table." % field)
