# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schema lint for table declarations (the role's dynamodb_stack_tables): every bad design found before AWS sees it.

Why a lint of its own: CloudFormation reports a bad table only once the stack has started to change, one problem
per rollback; argument_specs checks types but not how fields relate (an LSI needs the table's range key,
capacities follow the billing mode, one type per attribute); and AWS never checks the guide's data-modelling
rules (reserved words, camelCase). So the lint walks the whole list and returns every finding at once, each
naming the table and the dotted path of the field, so one edit fixes them all.

Pure: no AWS, no Ansible. Errors come first, then warnings, each in the order of the input (tables, then the
fields of a table in a fixed order), so the same input always gives the same list.

This module is the entry: it walks the list, runs an entry's checks in that fixed order and checks what must be
unique across tables. The checks live one concern to a file beside it (schema_lint_identity, _keys, _billing,
_settings, _tags, _indexes, _resource_policy, _import_source, _attribute_names), the state they share in
schema_lint_table and the findings in schema_lint_findings.
"""

from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_attribute_names import check_attribute_names
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_billing import check_billing
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import Findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_identity import check_id
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_identity import check_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_identity import check_unique_id
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_identity import check_unique_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_import_source import check_import_source
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_indexes import check_indexes
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_keys import check_key_types
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_keys import check_table_keys
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_resource_policy import check_resource_policy
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_settings import check_settings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_settings import check_ttl_attribute
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_settings import check_ttl_not_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import TableLint
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_unknown_keys
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_tags import check_tags
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import DEFAULT_NAME_PREFIX

# The allowed keys of a table entry, in the order the lint checks them (and the order "did you mean" and
# "allowed keys" name them in).
TABLE_FIELDS = (
    "name", "id", "hash_key", "range_key", "billing_mode", "read_capacity", "write_capacity", "ttl_attribute",
    "point_in_time_recovery", "table_class", "stream_view_type", "deletion_protection", "alarms", "tags",
    "global_secondary_indexes", "local_secondary_indexes", "resource_policy", "import_source",
)


def lint_tables(tables, name_prefix=DEFAULT_NAME_PREFIX):
    """All findings for a list of table declarations: errors first, then warnings, in input order.

    Each finding is dict(severity, table, field, message); table is the table's name, or "#<index>" when the
    entry has no usable name; field is a dotted path inside the entry ("global_secondary_indexes[1].projection").
    An empty list means the declarations can be rendered and deployed as they are.
    """
    findings = Findings()
    if not isinstance(tables, (list, tuple)):
        findings.error("*", "tables", "The tables declaration must be a list with one mapping per table, got %s; "
                                      "write it as a YAML list of tables (- name: ..., hash_key: ...)."
                       % describe(tables))
        return findings.ordered()
    if not tables:
        # A stack of no table would deploy only the log group: almost always a variable that did not load.
        findings.error("*", "tables", "The tables declaration is empty; declare at least one table (- name: ..., "
                                      "hash_key: ...), or deploy a template file with dynamodb_stack_template_path.")
        return findings.ordered()
    names_seen = {}
    ids_seen = {}
    logical_ids_seen = {}
    exports_seen = {}
    for index, entry in enumerate(tables):
        label = _table_label(entry, index)
        if not isinstance(entry, Mapping):
            findings.error(label, "tables[%d]" % index,
                           "Table %s, tables[%d]: the entry is %s, not a mapping; write each table as a mapping with "
                           "at least name and hash_key." % (label, index, describe(entry)))
            continue
        table = TableLint(findings, entry, label, name_prefix, index)
        _lint_entry(table)
        check_unique_name(table, names_seen, logical_ids_seen)
        check_unique_id(table, ids_seen, exports_seen)
    return findings.ordered()


def format_findings(findings):
    """One line per finding, "<severity> <table> <field>: <message>", for Ansible output and fail messages."""
    return ["%s %s %s: %s" % (f["severity"], f["table"], f["field"], f["message"]) for f in findings]


def _lint_entry(table):
    # The order is the order of the findings. Billing comes before the indexes, which need the table's mode, and
    # the keys before the indexes, which need the hash key and whether there is a range key; the cross-field
    # attribute checks come last, once every key, TTL and projected attribute has been met.
    check_unknown_keys(table, table.entry, "", TABLE_FIELDS)
    check_name(table)
    check_id(table)
    check_billing(table)
    hash_key = check_table_keys(table)
    check_ttl_attribute(table)
    check_settings(table)
    check_tags(table)
    check_indexes(table, hash_key)
    check_resource_policy(table)
    check_import_source(table)
    check_key_types(table)
    check_ttl_not_key(table)
    check_attribute_names(table)


def _table_label(entry, index):
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) and name else "#%d" % index
