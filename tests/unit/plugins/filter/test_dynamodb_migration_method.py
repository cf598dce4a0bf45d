"""The dynamodb_migration_method filter: the copy below the size threshold, through S3 from it on, the caller's
choice when named, and one line for each bad input (module_utils/_migrate/method_choice.py holds the logic)."""
import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_migration_method import FilterModule
from ansible_collections.aichef.dynamodb.plugins.filter.dynamodb_migration_method import dynamodb_migration_method
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.method_choice import GB
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.method_choice import S3_FROM_GB


def summary(gigabytes, items=1000):
    return dict(table_name="ai-chef-sessions", size_bytes=int(gigabytes * GB), item_count=items)


@pytest.mark.parametrize("gigabytes, method", [(0, "copy"), (S3_FROM_GB - 0.01, "copy"), (S3_FROM_GB, "s3"),
                                               (800, "s3")])
def test_auto_chooses_by_size_at_the_threshold(gigabytes, method):
    choice = dynamodb_migration_method(summary(gigabytes), s3_bucket="ai-chef-migrations")
    assert choice["method"] == method
    assert ("dynamodb_migration_s3_from_gb=%g" % S3_FROM_GB) in choice["reason"]
    assert "ai-chef-sessions holds %.2f GB" % gigabytes in choice["reason"]


def test_a_named_method_wins_over_the_size():
    assert dynamodb_migration_method(summary(800), method="copy")["method"] == "copy"
    choice = dynamodb_migration_method(summary(0), method="s3", s3_bucket="b-1")
    assert choice["method"] == "s3" and "dynamodb_migration_method=s3" in choice["reason"]


def test_threshold_is_the_callers():
    assert dynamodb_migration_method(summary(1), s3_from_gb=0.5, s3_bucket="b-1")["method"] == "s3"
    assert dynamodb_migration_method(summary(1), s3_from_gb="2")["method"] == "copy"  # -e gives strings


def test_a_table_without_size_figures_is_copied():
    assert dynamodb_migration_method(dict(table_name="t"))["method"] == "copy"


@pytest.mark.parametrize("kwargs, words", [
    (dict(method="fast"), "dynamodb_migration_method 'fast' is not one of auto, copy, s3"),
    (dict(s3_from_gb="lots"), "dynamodb_migration_s3_from_gb must be a number of GB"),
    (dict(s3_from_gb=-1), "dynamodb_migration_s3_from_gb must be a number of GB"),
    (dict(method="s3"), "needs dynamodb_migration_s3_bucket"),
])
def test_bad_input_is_one_line(kwargs, words):
    with pytest.raises(AnsibleFilterError) as raised:
        dynamodb_migration_method(summary(800), **kwargs)
    assert words in str(raised.value) and "\n" not in str(raised.value)


def test_over_the_threshold_without_a_bucket_says_how_to_go_on():
    with pytest.raises(AnsibleFilterError, match="or set dynamodb_migration_method=copy"):
        dynamodb_migration_method(summary(800))


def test_not_a_summary_is_refused():
    with pytest.raises(AnsibleFilterError, match="expected the source table's summary"):
        dynamodb_migration_method(["ai-chef-sessions"])


def test_the_filter_is_registered():
    assert FilterModule().filters()["dynamodb_migration_method"] is dynamodb_migration_method
