"""inputs.py: checks that run before the first AWS call."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import is_known_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name


class TestValidateStackName:
    @pytest.mark.parametrize("name", [
        "", None, "1-stack", "my_stack", "a" * 129, "my stack", "-stack", "stack.name", "stäck", "stack\n",
    ], ids=["empty", "none", "starts-with-digit", "underscore", "129-chars", "space", "starts-with-hyphen",
            "dot", "non-ascii", "trailing-newline"])
    def test_validate_stack_name_invalid_raises_input_error(self, name):
        with pytest.raises(InputError) as e:
            validate_stack_name(name)
        assert e.value.message.startswith("Invalid stack name %r" % (name,))
        assert "1-128 letters, digits or hyphens, starting with a letter" in e.value.message

    @pytest.mark.parametrize("name", ["a", "ai-chef-dynamodb", "Stack-1", "A" * 128, "a-" * 63 + "ab"],
                             ids=["one-char", "team-name", "digit-inside", "128-chars", "hyphens-128"])
    def test_validate_stack_name_valid_returns_none(self, name):
        assert validate_stack_name(name) is None


class TestValidateRegion:
    @pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1"])
    def test_validate_region_known_region_returns_none(self, region):
        assert validate_region(region) is None

    @pytest.mark.parametrize("region", ["us-east-7", "useast1", "US-EAST-1", "moon-1", "us-east-1 "])
    def test_validate_region_unknown_raises_input_error_naming_it(self, region):
        with pytest.raises(InputError) as e:
            validate_region(region)
        assert e.value.message == "Unknown AWS region %r for cloudformation (a typo? e.g. us-east-1)" % region

    @pytest.mark.parametrize("region", ["", None], ids=["empty", "none"])
    def test_validate_region_missing_raises_input_error(self, region):
        with pytest.raises(InputError, match="No AWS region given"):
            validate_region(region)

    def test_validate_region_other_service_named_in_message(self):
        with pytest.raises(InputError, match="for dynamodb"):
            validate_region("moon-1", service="dynamodb")


@pytest.mark.parametrize("region, known", [("us-east-1", True), ("us-gov-west-1", True), ("cn-north-1", True),
                                           ("moon-1", False)])
def test_is_known_region_spans_partitions(region, known):
    assert is_known_region(region) is known


def test_is_known_region_pseudo_global_region_is_not_a_place_to_deploy():
    assert is_known_region("aws-global") is False
