# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's checks of a table's optional settings: the TTL attribute, the on/off switches (point-in-time
recovery, deletion protection, alarms), the table class and the stream view type.

Each is one value the renderer copies into the table resource as it is, so each check is of that value alone; the
one that relates to other fields, that the TTL attribute is not a key, runs once every key is known.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_choice

BOOLEAN_FIELDS = ("point_in_time_recovery", "deletion_protection", "alarms")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def check_ttl_attribute(table):
    value = table.entry.get("ttl_attribute")
    if value is None:
        return
    if not isinstance(value, str) or not value:
        table.error("ttl_attribute", "ttl_attribute must be the name of a Number attribute holding the expiry "
                                     "time (epoch seconds), got %s; e.g. ttl_attribute: expiresAt."
                    % describe(value))
        return
    table.ttl_attribute = value
    table.attributes.append((value, "ttl_attribute", "ttl", None))


def check_settings(table):
    for field in BOOLEAN_FIELDS:
        _check_boolean(table, field)
    check_choice(table, table.entry.get("table_class"), "table_class", TABLE_CLASSES)
    check_choice(table, table.entry.get("stream_view_type"), "stream_view_type", STREAM_VIEW_TYPES)


def _check_boolean(table, field):
    value = table.entry.get(field)
    if value is not None and not isinstance(value, bool):
        table.error(field, "%s must be true or false, got %s; write it as an unquoted YAML boolean."
                    % (field, describe(value)))


def check_ttl_not_key(table):
    key_fields = [field for name, field, role, _key_type in table.attributes
                  if role == "key" and name == table.ttl_attribute]
    if table.ttl_attribute is not None and key_fields:
        table.error("ttl_attribute", 'the TTL attribute "%s" is also a key (%s); TTL needs its own Number '
                                     "attribute holding the expiry time, and a key cannot expire items safely, so "
                                     "use a separate attribute such as expiresAt."
                    % (table.ttl_attribute, ", ".join(f.rsplit(".", 1)[0] for f in key_fields)))
