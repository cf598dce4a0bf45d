"""plan_change() refuses a changed import_source (ImportSourceSpecification) on a deployed table before any write.

The property is create-only: adding, removing or changing it replaces the table, and a replaced custom-named table
loses its items or fails the update. The plan decides it from the deployed template (GetTemplate) and the declared
one, names the table and the property, and sends nothing to CloudFormation (no change set) unless the table is in
dynamodb_stack_allow_table_replacement.
"""
import copy

import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import preview
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.tests.unit.utils import cloudformation_stubs as cfn
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import STACK_NAME
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import property_detail
from ansible_collections.aichef.dynamodb.tests.unit.utils.cloudformation_stubs import resource_change

DESCRIBE, GET_TEMPLATE = "cloudformation:DescribeStacks", "cloudformation:GetTemplate"
ORDERS = "AiChefOrdersV2Table"
EXPORT = dict(s3_bucket="ai-chef-exports", s3_key_prefix="exports/orders/", input_format="DYNAMODB_JSON",
              input_compression_type="GZIP")


def tables(import_source):
    entry = dict(name="ai-chef-orders-v2", hash_key=dict(name="orderId", type="S"))
    if import_source is not None:
        entry["import_source"] = copy.deepcopy(import_source)
    return [dict(name="ai-chef-pantry", hash_key=dict(name="itemId", type="S")), entry]


def body(import_source):
    return render_template_body(tables(import_source), dict(log_group_name=""))


def refuse(cloudformation, clock, params):
    with pytest.raises(preview.ChangeRefused) as e:
        preview.plan_change(cloudformation.wrapped(), params, sleep=clock.sleep, clock=clock)
    return e.value


@pytest.mark.parametrize("deployed, declared, says", [
    (EXPORT, dict(EXPORT, s3_key_prefix="exports/orders-2/"),
     "changes (s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON -> s3://ai-chef-exports/exports/orders-2/ "
     "DYNAMODB_JSON)"),
    (EXPORT, None, "is removed (it was s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON)"),
    (None, EXPORT, "is added (s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON)"),
], ids=["changed", "removed", "added"])
def test_import_source_change_refused_naming_it_without_change_set(deployed, declared, says, cloudformation,
                                                                   api_calls, clock, plan_params):
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, body(deployed))

    refusal = refuse(cloudformation, clock, plan_params(template_body=body(declared)))

    assert refusal.message.startswith(
        "Refusing to update stack %s: table ai-chef-orders-v2 (%s) would be REPLACED in stack %s because its "
        "ImportSourceSpecification (import_source) %s" % (STACK_NAME, ORDERS, STACK_NAME, says)), refusal.message
    assert "dynamodb_stack_allow_table_replacement: [ai-chef-orders-v2]" in refusal.message
    assert refusal.message.endswith(". Nothing was sent to CloudFormation.")
    assert refusal.kwargs["changes"] == []
    assert api_calls == [DESCRIBE, GET_TEMPLATE]


def test_unchanged_import_source_goes_on_to_the_change_set(cloudformation, api_calls, clock, plan_params,
                                                           stub_last_event):
    """The same source deployed and declared (the table keeps it for its whole life) is an ordinary update."""
    deployed = body(EXPORT)
    declared_tables = tables(EXPORT)
    declared_tables[1]["tags"] = dict(Team="kitchen")
    declared = render_template_body(declared_tables, dict(log_group_name=""))
    cfn.stub_describe_stacks(cloudformation.stubber, "UPDATE_COMPLETE")
    cfn.stub_get_template(cloudformation.stubber, deployed)
    cfn.stub_create_change_set(cloudformation.stubber, declared)
    cfn.stub_describe_change_set(cloudformation.stubber, changes=[resource_change(
        ORDERS, "Modify", "False", physical_id="ai-chef-orders-v2", details=[property_detail("Tags")])])
    cfn.stub_delete_change_set(cloudformation.stubber)
    cfn.stub_list_exports(cloudformation.stubber, [])
    stub_last_event()

    result = preview.plan_change(cloudformation.wrapped(), plan_params(template_body=declared), sleep=clock.sleep,
                                 clock=clock)

    assert result["operation"] == "update"
    assert "cloudformation:CreateChangeSet" in api_calls
