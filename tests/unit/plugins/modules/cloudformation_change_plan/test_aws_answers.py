"""AWS's own answers to the rules of aws_rules.py, as a user meets them when a check of this collection is bypassed
(a template changed by another tool, a stricter AWS than documented): each reaches the user as one failure naming
the call and AWS's code and message, with the change set cleaned up and nothing executed."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_change_plan as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import run_module_main
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

# AWS's wording (the strict proxy answers the same; scripts/strict_proxy.py names the sources).
BODY_TOO_LARGE = ("1 validation error detected: Value '...' at 'templateBody' failed to satisfy constraint: Member must "
                  "have length less than or equal to 51200")
URL_TOO_LARGE = "Template may not exceed 1000000 bytes in size."
LOG_RETENTION = ("Properties validation failed for resource DynamoDBLogGroup with message: #/RetentionInDays: failed "
                 "validation constraint for keyword [enum]")
AWS_TAG = "aws: prefixed tag key names are not allowed for external use."


@pytest.mark.parametrize("message, url", [
    (BODY_TOO_LARGE, None), (URL_TOO_LARGE, "https://bucket.s3.us-east-1.amazonaws.com/stack/t.yaml"),
    (LOG_RETENTION, None), (AWS_TAG, None)], ids=["body-over-51200", "url-over-1mb", "log-retention", "aws-tag"])
def test_aws_refusing_the_preview_fails_in_one_line_with_its_code_and_message(
        message, url, capsys, cloudformation, requested_clients, api_calls):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, TEAM_TEMPLATE)
    cfn.stub_create_change_set(cloudformation.stubber, TEAM_TEMPLATE, template_url=url, error_code="ValidationError",
                               error_message=message)
    args = dict(stack_name=STACK_NAME, region="us-east-1", template_body=TEAM_TEMPLATE, operation="update")
    if url:
        args["template_url"] = url
    rc, result = run_module_main(module.main, capsys, **args)
    assert rc == 1
    assert result["msg"] == ("Failed to create a change set to preview stack %s: An error occurred (ValidationError) "
                             "when calling the CreateChangeSet operation: %s" % (STACK_NAME, message))
    assert "cloudformation:ExecuteChangeSet" not in api_calls and "cloudformation:UpdateStack" not in api_calls
