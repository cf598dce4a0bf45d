"""exports_in_use_that_would_go(): exports of the stack that the template drops while another stack imports them."""
import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import preview
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import stack_description
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_EXPORTS
from ansible_collections.aichef.dynamodb.tests.unit.utils.team_template import TEAM_TEMPLATE

SESSIONS_EXPORT = STACK_NAME + "-SessionsTable"
FOREIGN_EXPORT = dict(ExportingStackId="arn:aws:cloudformation:us-east-1:123456789012:stack/other/1", Name="other-X",
                      Value="x")


def without_sessions_export(text=TEAM_TEMPLATE):
    """The team template with the SessionsTableName output (and its export) left out."""
    return text[:text.index("  SessionsTableName:")] + text[text.index("  ResultsTableName:"):]


def stack():
    return stack_description("UPDATE_COMPLETE")


def test_exports_in_use_that_would_go_dropped_and_imported_returns_importers(cloudformation, api_calls):
    cfn.stub_list_exports(cloudformation.stubber, [FOREIGN_EXPORT] + TEAM_EXPORTS[:2], next_token="page-2")
    cfn.stub_list_exports(cloudformation.stubber, TEAM_EXPORTS[2:], expected_token="page-2")
    cfn.stub_list_imports(cloudformation.stubber, SESSIONS_EXPORT, ["ai-chef-api", "ai-chef-worker"])

    in_use = preview.exports_in_use_that_would_go(cloudformation.wrapped(), stack(),
                                                  parse_template(without_sessions_export()))

    assert in_use == [(SESSIONS_EXPORT, ["ai-chef-api", "ai-chef-worker"])]
    assert api_calls == ["cloudformation:ListExports", "cloudformation:ListExports", "cloudformation:ListImports"]


def test_exports_in_use_that_would_go_dropped_not_imported_returns_empty(cloudformation, api_calls):
    cfn.stub_list_exports(cloudformation.stubber, TEAM_EXPORTS)
    cfn.stub_list_imports(cloudformation.stubber, SESSIONS_EXPORT)  # ValidationError "... is not imported by ..."

    assert preview.exports_in_use_that_would_go(cloudformation.wrapped(), stack(),
                                                parse_template(without_sessions_export())) == []
    assert api_calls[-1] == "cloudformation:ListImports"


def test_exports_in_use_that_would_go_all_declared_asks_no_imports(cloudformation, api_calls):
    """Another stack's export is not this stack's to drop: only ListExports is called."""
    cfn.stub_list_exports(cloudformation.stubber, [FOREIGN_EXPORT] + TEAM_EXPORTS)

    assert preview.exports_in_use_that_would_go(cloudformation.wrapped(), stack(), parse_template(TEAM_TEMPLATE)) == []
    assert api_calls == ["cloudformation:ListExports"]


def test_exports_in_use_that_would_go_unresolvable_name_skips_check(cloudformation, api_calls):
    """An export name computed from a parameter cannot be known here: no guess, no call (CloudFormation itself
    refuses to drop an export in use)."""
    template = json.dumps({
        "Parameters": {"Environment": {"Type": "String"}},
        "Resources": {"Log": {"Type": "AWS::Logs::LogGroup"}},
        "Outputs": {"Log": {"Value": {"Ref": "Log"}, "Export": {"Name": {"Fn::Sub": "${Environment}-Log"}}}}})

    assert preview.exports_in_use_that_would_go(cloudformation.wrapped(), stack(), parse_template(template)) == []
    assert api_calls == []
