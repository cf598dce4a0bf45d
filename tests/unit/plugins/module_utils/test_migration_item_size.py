"""_migrate.item_size (DynamoDB's item-size rules, the page Limit of the byte budget) and _migrate.key_collisions
(two source items mapped to one target key)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import item_size
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.item_size import page_limit
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.key_collisions import KeyCollisions
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.key_collisions import ManyToOneKey


@pytest.mark.parametrize("value, size", [
    ({"S": "abc"}, 3),
    ({"S": "\u00e9t\u00e9"}, 5),  # UTF-8 bytes, not characters
    ({"N": "123.45"}, 4),  # 5 significant digits: 3 bytes, plus 1
    ({"N": "-0.00100"}, 2),  # leading and trailing zeros trimmed
    ({"N": "0"}, 1),
    ({"N": "1.2E+10"}, 2),
    ({"B": b"\x00\x01\x02"}, 3),  # raw bytes, not base64
    ({"BOOL": False}, 1),
    ({"NULL": True}, 1),
    ({"SS": ["a", "bc"]}, 3),
    ({"NS": ["1", "22", "333"]}, 2 + 2 + 3),
    ({"BS": [b"ab", b"c"]}, 3),
    ({"L": []}, 3),
    ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + (1 + 2) + (1 + 2)),  # 3 bytes, then 1 byte per element
    ({"M": {"x": {"S": "ab"}}}, 3 + 1 + 1 + 2),  # a map's element also its name
    ({"M": {"m": {"L": [{"NULL": True}]}}}, 3 + 1 + 1 + (3 + 1 + 1)),
])
def test_item_size_follows_dynamodb_rules(value, size):
    assert item_size({"attr": value}) == 4 + size  # the attribute's name counts too


def test_item_size_sums_names_and_values():
    assert item_size({"sessionId": {"S": "s0001"}, "n": {"N": "42"}}) == 9 + 5 + 1 + 2


@pytest.mark.parametrize("budget, largest, page_size, limit", [
    (512 * 1024, 700, None, None),  # small items: DynamoDB's own 1 MB page, one call per page
    (512 * 1024, 20 * 1024, None, None),  # 25 of them still fit: whole write batches, no Limit
    (512 * 1024, 22 * 1024, None, 23),
    (512 * 1024, 350 * 1024, None, 1),  # a nested 350 KB item: one per page
    (512 * 1024, 100 * 1024, None, 5),
    (512 * 1024, 400 * 1024, None, 1),
    (1000, 5000, None, 1),  # larger than the budget: read alone, never 0
    (512 * 1024, 100 * 1024, 3, 3),  # the user's page_size when smaller
    (512 * 1024, 100 * 1024, 50, 5),
    (512 * 1024, 700, 50, 50),
    (512 * 1024, 0, None, None),  # nothing known yet
])
def test_page_limit(budget, largest, page_size, limit):
    assert page_limit(budget, largest, page_size) == limit


def target(pk):
    return {"PK": {"S": pk}, "SK": {"S": "META"}, "payload": {"S": "x"}}


def source(number):
    return {"sessionId": {"S": "s%d" % number}}


def test_key_collisions_within_one_page_names_both_source_keys_and_the_target_key():
    collisions = KeyCollisions(["PK", "SK"])
    with pytest.raises(ManyToOneKey) as e:
        collisions.check([(target("USER#u1"), source(1)), (target("USER#u2"), source(2)),
                          (target("USER#u1"), source(3))])
    assert e.value.message.startswith(
        'The transform maps two source items to one target key: {"sessionId": "s1"} and {"sessionId": "s3"} both '
        'become {"PK": "USER#u1", "SK": "META"}')
    assert "\n" not in e.value.message


def test_key_collisions_across_pages_with_a_remembered_key():
    collisions = KeyCollisions(["PK", "SK"])
    collisions.check([(target("USER#u1"), source(1))])
    with pytest.raises(ManyToOneKey, match='"s1"} and {"sessionId": "s7"} both become'):
        collisions.check([(target("USER#u9"), source(6)), (target("USER#u1"), source(7))])


def test_key_collisions_same_source_item_again_is_no_collision():
    """A resumed run puts the page in flight again, and the probe's items are copied again by their segment."""
    collisions = KeyCollisions(["PK", "SK"])
    collisions.check([(target("USER#u1"), source(1))])
    collisions.check([(target("USER#u1"), source(1))])


def test_key_collisions_remembers_a_bounded_number_of_keys():
    """Beyond remembered_keys, a key is checked but not kept: a later collision with it goes unnoticed here (the
    count verification after the copy catches it), memory stays bounded."""
    collisions = KeyCollisions(["PK", "SK"], remembered_keys=2)
    collisions.check([(target("A"), source(1)), (target("B"), source(2)), (target("C"), source(3))])
    assert len(collisions.remembered) == 2
    collisions.check([(target("C"), source(4))])  # C was not kept
    with pytest.raises(ManyToOneKey):
        collisions.check([(target("A"), source(5))])  # A was
