# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of a declared DynamoDB table against the live table.

Name, status, key schema, attribute types, secondary indexes, and the properties that have a service default
(billing mode, throughput, TTL, point-in-time recovery, encryption, table class, deletion protection): the last
ones go through the endpoint-gap rule, because an endpoint may accept them and never apply them.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import DEFAULT_BILLING_MODE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.transformations import DEFAULT_TABLE_CLASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import Unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import ABSENT
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import compare
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import as_bool
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import as_number
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import named_resource
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import property_check


ENABLED = "ENABLED"
DISABLED = "DISABLED"


def enabled_text(flag):
    return ENABLED if flag else DISABLED


def key_schema_text(key_schema, name_key, type_key):
    """["sessionId HASH", "createdAt RANGE"]: HASH first, as DynamoDB lists it."""
    keys = sorted(key_schema or [], key=lambda key: key.get(type_key) != "HASH")
    return ["%s %s" % (key.get(name_key), key.get(type_key)) for key in keys]


def index_text(keys, projection_type, non_key_attributes):
    text = "keys %s; projection %s" % (", ".join(keys), projection_type)
    if non_key_attributes:
        text += " (%s)" % ", ".join(sorted(non_key_attributes))
    return text


def declared_index_text(index):
    projection = index.get("Projection") or {}
    return index_text(key_schema_text(index.get("KeySchema"), "AttributeName", "KeyType"),
                      projection.get("ProjectionType"), projection.get("NonKeyAttributes"))


def live_index_text(index):
    if index is None:
        return ABSENT
    projection = index.get("projection") or {}
    return index_text(key_schema_text(index.get("key_schema"), "attribute_name", "key_type"),
                      projection.get("projection_type"), projection.get("non_key_attributes"))


# --- table properties that have a service default: (aspect, property, declared, live, default) ---------------
def _declared_ttl(spec):
    if not as_bool(spec.get("Enabled")):
        return DISABLED
    return "%s (attribute %s)" % (ENABLED, spec.get("AttributeName"))


def _live_ttl(table, _spec):
    ttl = table.get("time_to_live") or {}
    status = ttl.get("status") or DISABLED
    if status == DISABLED or not ttl.get("attribute_name"):
        return status
    return "%s (attribute %s)" % (status, ttl["attribute_name"])


def _declared_pitr(spec):
    if not as_bool(spec.get("PointInTimeRecoveryEnabled")):
        return DISABLED
    if spec.get("RecoveryPeriodInDays") is not None:
        return "%s (%s days)" % (ENABLED, as_number(spec["RecoveryPeriodInDays"]))
    return ENABLED


def _live_pitr(table, spec):
    pitr = table.get("point_in_time_recovery") or {}
    status = pitr.get("status") or DISABLED
    if status == ENABLED and spec.get("RecoveryPeriodInDays") is not None:
        return "%s (%s days)" % (status, pitr.get("recovery_period_in_days"))
    return status


def _declared_sse(spec):
    return enabled_text(as_bool(spec.get("SSEEnabled")))


def _live_sse(table, _spec):
    # No SSEDescription: encrypted with an AWS owned key, which is what SSEEnabled: false asks for.
    return (table.get("sse_description") or {}).get("status") or DISABLED


def _declared_throughput(spec):
    return "read %s, write %s" % (as_number(spec.get("ReadCapacityUnits")), as_number(spec.get("WriteCapacityUnits")))


def _live_throughput(table, _spec):
    throughput = table.get("provisioned_throughput") or {}
    return "read %s, write %s" % (throughput.get("read_capacity_units"), throughput.get("write_capacity_units"))


TABLE_PROPERTY_CHECKS = (
    # aspect, template property, declared -> expected, (table, declared) -> actual, service default, check when
    # the template leaves the property out
    ("billing mode", "BillingMode", str, lambda table, _spec: table.get("billing_mode"), DEFAULT_BILLING_MODE, True),
    ("provisioned throughput", "ProvisionedThroughput", _declared_throughput, _live_throughput, None, False),
    ("time to live", "TimeToLiveSpecification", _declared_ttl, _live_ttl, DISABLED, False),
    ("point-in-time recovery", "PointInTimeRecoverySpecification", _declared_pitr, _live_pitr, DISABLED, False),
    ("encryption", "SSESpecification", _declared_sse, _live_sse, DISABLED, False),
    ("table class", "TableClass", str, lambda table, _spec: table.get("table_class"), DEFAULT_TABLE_CLASS, False),
    ("deletion protection", "DeletionProtectionEnabled", lambda flag: enabled_text(as_bool(flag)),
     lambda table, _spec: enabled_text(table.get("deletion_protection_enabled")), DISABLED, False),
)


def table_property_checks(label, logical_id, properties, table, deployed):
    checks = []
    for aspect, property_name, declared, live, default, always in TABLE_PROPERTY_CHECKS:
        name = "%s: %s" % (label, aspect)
        if property_name not in properties and not always:
            continue
        value, error = try_resolve(properties.get(property_name), deployed.context)
        if error:
            checks.append(unresolvable(name, error))
            continue
        try:
            expected = default if value is None else declared(value)
        except (Unresolvable, TypeError, ValueError, AttributeError) as e:
            checks.append(unresolvable(name, e))
            continue
        actual = live(table, value if isinstance(value, dict) else {})
        checks.append(property_check(name, deployed, logical_id, property_name, expected, actual, default))
    return checks


def index_checks(label, kind, declared_indexes, live_indexes):
    """One check of the index names (so an undeclared index fails), then one per declared index."""
    declared = dict((index.get("IndexName"), index) for index in declared_indexes or [])
    live = dict((index.get("index_name"), index) for index in live_indexes or [])
    if not declared and not live:
        return []
    checks = [compare("%s: %s names" % (label, kind), sorted(declared), sorted(live))]
    for name, index in declared.items():
        checks.append(compare("%s: %s %s" % (label, kind, name), declared_index_text(index),
                              live_index_text(live.get(name))))
    return checks


def table_checks(logical_id, resource, deployed):
    table = deployed.tables.get(logical_id)
    properties, declared_name, label, exists = named_resource("table", logical_id, resource, table, "TableName",
                                                              "table_name", deployed)
    if exists["status"] != PASS:
        return [exists]
    checks = [exists]
    if isinstance(declared_name, str):
        checks.append(compare(label + ": name", declared_name, table["table_name"]))
    checks.append(compare(label + ": status", "ACTIVE", table.get("table_status")))
    checks.append(compare(label + ": key schema",
                          key_schema_text(properties.get("KeySchema"), "AttributeName", "KeyType"),
                          key_schema_text(table.get("key_schema"), "attribute_name", "key_type")))
    checks.append(compare(label + ": attribute types",
                          dict((a.get("AttributeName"), a.get("AttributeType"))
                               for a in properties.get("AttributeDefinitions") or []),
                          dict((a.get("attribute_name"), a.get("attribute_type"))
                               for a in table.get("attribute_definitions") or [])))
    checks.extend(index_checks(label, "global secondary index", properties.get("GlobalSecondaryIndexes"),
                               table.get("global_secondary_indexes")))
    checks.extend(index_checks(label, "local secondary index", properties.get("LocalSecondaryIndexes"),
                               table.get("local_secondary_indexes")))
    checks.extend(table_property_checks(label, logical_id, properties, table, deployed))
    return checks
