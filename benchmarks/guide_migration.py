"""The team guide's data-migration script ("Data migration" in the guide), kept as the baseline.

Faithful to the guide: boto3's resource API, one scan() of the old table with no pagination (so it stops at
the first 1 MB page and silently leaves the rest behind), then one put_item per item after transform_item.
Only the table names and the resource (pointed at the emulator by the caller) are parameters here.
Used by tests/integration/test_migration.py (to show the items it loses) and benchmarks/migrate.py (speed).
"""


def transform_item(item):
    """The key change: the new table's composite key, built from the old key."""
    item["PK"] = "SESSION#" + item["sessionId"]
    item["SK"] = "META"
    return item


def guide_migration(dynamodb, old_table_name, new_table_name):
    """Returns the number of items put (everything the script believes it migrated)."""
    old_table = dynamodb.Table(old_table_name)
    new_table = dynamodb.Table(new_table_name)

    response = old_table.scan()
    migrated = 0
    for item in response["Items"]:
        new_item = transform_item(item)
        new_table.put_item(Item=new_item)
        migrated += 1
    return migrated
