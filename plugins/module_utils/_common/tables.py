# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin DynamoDB wrappers: one API call each, retried, absence returned as data."""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import DynamoDBError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_code

# DynamoDB's answer for a table that does not exist (DescribeContinuousBackups also says TableNotFoundException).
TABLE_ABSENT = error_code("ResourceNotFoundException", "TableNotFoundException")


def describe_table(client, table_name):
    """The Table dict, or None when no such table exists."""
    response = call(client.describe_table, DynamoDBError, "Failed to describe table %s" % table_name,
                    absent=TABLE_ABSENT, TableName=table_name)
    return response["Table"] if response is not None else None


def table_holds_items(client, table_name):
    """True when the table exists and holds at least one item.

    DescribeTable's ItemCount is refreshed only about every six hours, so a freshly written table reads as
    empty there; a one-item scan answers now, for one read unit.
    """
    response = call(client.scan, DynamoDBError, "Failed to check whether table %s holds items" % table_name,
                    absent=TABLE_ABSENT, TableName=table_name, Limit=1, Select="COUNT")
    return response is not None and (response.get("Count", 0) > 0 or "LastEvaluatedKey" in response)


def describe_time_to_live(client, table_name):
    """The TimeToLiveDescription dict, or None when no such table exists."""
    response = call(client.describe_time_to_live, DynamoDBError,
                    "Failed to describe the time to live of table %s" % table_name, absent=TABLE_ABSENT,
                    TableName=table_name)
    return response.get("TimeToLiveDescription", {}) if response is not None else None


def describe_continuous_backups(client, table_name):
    """The ContinuousBackupsDescription dict (point-in-time recovery), or None when no such table exists."""
    response = call(client.describe_continuous_backups, DynamoDBError,
                    "Failed to describe the continuous backups of table %s" % table_name, absent=TABLE_ABSENT,
                    TableName=table_name)
    return response.get("ContinuousBackupsDescription", {}) if response is not None else None


# --- data-plane wrappers for dynamodb_table_migration (one call each; pagination is the caller's loop) --------

def scan_page(client, table_name, segment=None, total_segments=None, exclusive_start_key=None,
              consistent_read=False, limit=None, select=None, projection=None):
    """One Scan call (at most 1 MB of items): the response dict, with Items, LastEvaluatedKey and ConsumedCapacity.

    projection: attribute names to return (turned into a ProjectionExpression with name placeholders).
    """
    params = dict(TableName=table_name, ConsistentRead=consistent_read, ReturnConsumedCapacity="TOTAL")
    if total_segments is not None:
        params.update(Segment=segment, TotalSegments=total_segments)
    if exclusive_start_key:
        params["ExclusiveStartKey"] = exclusive_start_key
    if limit:
        params["Limit"] = limit
    if select:
        params["Select"] = select
    if projection:
        names = dict(("#a%d" % index, name) for index, name in enumerate(projection))
        params["ProjectionExpression"] = ", ".join(sorted(names))
        params["ExpressionAttributeNames"] = names
    where = " segment %d/%d" % (segment, total_segments) if total_segments is not None else ""
    return call(client.scan, DynamoDBError, "Failed to scan table %s%s" % (table_name, where), **params)


def batch_write_items(client, table_name, write_requests):
    """One BatchWriteItem call (at most 25 requests): the response dict, with UnprocessedItems and
    ConsumedCapacity."""
    return call(client.batch_write_item, DynamoDBError, "Failed to write a batch of %d items to table %s" % (
        len(write_requests), table_name), RequestItems={table_name: write_requests}, ReturnConsumedCapacity="TOTAL")


def unprocessed_requests(response, table_name):
    """The write requests a BatchWriteItem response hands back for table_name, [] when none."""
    return response.get("UnprocessedItems", {}).get(table_name, [])


def get_item(client, table_name, key, consistent_read=False):
    """One GetItem call: the response dict, with Item (absent when no item has that key) and ConsumedCapacity."""
    return call(client.get_item, DynamoDBError, "Failed to read an item of table %s" % table_name,
                TableName=table_name, Key=key, ConsistentRead=consistent_read, ReturnConsumedCapacity="TOTAL")


def index_progress_line(table_name, index_name, table):
    """One line on a global secondary index being created: its status and, while DynamoDB backfills it, how far
    the backfill has come (IndexSizeBytes and ItemCount grow as it copies the table's items)."""
    if table is None:
        return "index %s on %s: the table does not exist (yet)" % (index_name, table_name)
    index = next((item for item in table.get("GlobalSecondaryIndexes") or [] if item.get("IndexName") == index_name),
                 None)
    if index is None:
        return "index %s on %s: not created yet" % (index_name, table_name)
    status = index.get("IndexStatus", "ACTIVE")
    if status == "ACTIVE":
        return "index %s on %s: ACTIVE" % (index_name, table_name)
    backfill = ", backfilling" if index.get("Backfilling") else ""
    return "index %s on %s: %s%s (%d items, %d bytes indexed so far; the table holds about %d items)" % (
        index_name, table_name, status, backfill, index.get("ItemCount", 0), index.get("IndexSizeBytes", 0),
        table.get("ItemCount", 0))


def index_progress_lines(client, watched):
    """index_progress_line for each "table:index" of watched, one DescribeTable per table."""
    tables = {}
    lines = []
    for entry in watched:
        table_name, dummy, index_name = entry.partition(":")
        if table_name not in tables:
            tables[table_name] = describe_table(client, table_name)
        lines.append(index_progress_line(table_name, index_name, tables[table_name]))
    return lines
