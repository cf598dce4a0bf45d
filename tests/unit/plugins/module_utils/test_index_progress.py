"""index_progress_lines(): a global secondary index being created, its backfill shown as it advances."""
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import index_progress_line
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.tables import index_progress_lines


def table_with(index, item_count=500000):
    return dict(TableName="ai-chef-results", ItemCount=item_count, GlobalSecondaryIndexes=[index])


def test_a_backfilling_index_shows_its_status_and_how_far_it_has_come():
    line = index_progress_line("ai-chef-results", "userId-index", table_with(dict(
        IndexName="userId-index", IndexStatus="CREATING", Backfilling=True, ItemCount=120000, IndexSizeBytes=9600000)))
    assert line == ("index userId-index on ai-chef-results: CREATING, backfilling (120000 items, 9600000 bytes indexed "
                    "so far; the table holds about 500000 items)")


def test_an_active_index_and_one_not_yet_started_read_as_such():
    assert index_progress_line("ai-chef-results", "userId-index", table_with(dict(
        IndexName="userId-index", IndexStatus="ACTIVE"))) == "index userId-index on ai-chef-results: ACTIVE"
    assert index_progress_line("ai-chef-results", "userId-index", table_with(dict(
        IndexName="other-index", IndexStatus="ACTIVE"))) == "index userId-index on ai-chef-results: not created yet"
    assert index_progress_line("ai-chef-results", "userId-index", None) == (
        "index userId-index on ai-chef-results: the table does not exist (yet)")


def test_index_progress_lines_describe_each_table_once(dynamodb, api_calls):
    dynamodb.stubber.add_response("describe_table", dict(Table=dict(
        TableName="ai-chef-results", ItemCount=10, GlobalSecondaryIndexes=[
            dict(IndexName="a-index", IndexStatus="CREATING", Backfilling=True, ItemCount=4, IndexSizeBytes=40),
            dict(IndexName="b-index", IndexStatus="ACTIVE")])), dict(TableName="ai-chef-results"))
    lines = index_progress_lines(dynamodb.wrapped(), ["ai-chef-results:a-index", "ai-chef-results:b-index"])
    assert lines == ["index a-index on ai-chef-results: CREATING, backfilling (4 items, 40 bytes indexed so far; the "
                     "table holds about 10 items)", "index b-index on ai-chef-results: ACTIVE"]
    assert api_calls == ["dynamodb:DescribeTable"]
