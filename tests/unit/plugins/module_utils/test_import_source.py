"""import_source: a table entry created by DynamoDB's import from S3 (ImportSourceSpecification).

Rendered as CloudFormation's property shape, linted before AWS with one line per problem, read back from a
template into the same entry, and, since the property is create-only, any change of it on a deployed table is a
named replacement in the plan (IndexPlan), like a key change. An autouse fixture makes any botocore API call fail
the test: all of this is decided without AWS.
"""
import copy

import botocore.client
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.index_changes import IndexPlan
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.template_tables import template_table_declarations

ORDERS = "AiChefOrdersV2Table"
EXPORT = dict(s3_bucket="ai-chef-exports", s3_key_prefix="exports/orders/", input_format="DYNAMODB_JSON",
              input_compression_type="GZIP")
CSV = dict(s3_bucket="ai-chef-exports", s3_key_prefix="csv/orders/", s3_bucket_owner="012345678901",
           input_format="CSV", input_format_options=dict(delimiter=";", header_list=["orderId", "createdAt", "total"]))


@pytest.fixture(autouse=True)
def no_aws(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the import source is decided without any AWS call")
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)


def orders(import_source=None, **overrides):
    entry = dict(name="ai-chef-orders-v2", hash_key=dict(name="orderId", type="S"),
                 range_key=dict(name="createdAt", type="N"))
    if import_source is not None:
        entry["import_source"] = copy.deepcopy(import_source)
    entry.update(overrides)
    return entry


def source(base=None, **changes):
    """A copy of base (EXPORT by default) with changes; a change to None removes the key."""
    result = copy.deepcopy(EXPORT if base is None else base)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def table_properties(template, logical_id=ORDERS):
    return template["Resources"][logical_id]["Properties"]


def lines(tables):
    return format_findings(lint_tables(tables))


class TestRender:
    def test_export_source_renders_cloudformations_shape(self):
        properties = table_properties(render_stack_template([orders(EXPORT)]))

        assert properties["ImportSourceSpecification"] == dict(
            S3BucketSource=dict(S3Bucket="ai-chef-exports", S3KeyPrefix="exports/orders/"),
            InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP")

    def test_csv_source_renders_owner_and_csv_options(self):
        properties = table_properties(render_stack_template([orders(CSV)]))

        assert properties["ImportSourceSpecification"] == dict(
            S3BucketSource=dict(S3Bucket="ai-chef-exports", S3KeyPrefix="csv/orders/", S3BucketOwner="012345678901"),
            InputFormat="CSV",
            InputFormatOptions=dict(Csv=dict(Delimiter=";", HeaderList=["orderId", "createdAt", "total"])))

    def test_bucket_alone_gets_the_required_input_format_dynamodb_json(self):
        properties = table_properties(render_stack_template([orders(dict(s3_bucket="ai-chef-exports"))]))

        assert properties["ImportSourceSpecification"] == dict(S3BucketSource=dict(S3Bucket="ai-chef-exports"),
                                                               InputFormat="DYNAMODB_JSON")

    def test_a_table_without_import_source_renders_no_import(self):
        assert "ImportSourceSpecification" not in table_properties(render_stack_template([orders()]))

    def test_the_rest_of_the_table_is_rendered_as_without_an_import(self):
        with_import = table_properties(render_stack_template([orders(EXPORT)]))
        without = table_properties(render_stack_template([orders()]))

        assert dict((key, value) for key, value in with_import.items() if key != "ImportSourceSpecification") == without


class TestLint:
    @pytest.mark.parametrize("import_source", [EXPORT, CSV, dict(s3_bucket="ai-chef-exports"),
                                               source(input_format="ION", input_compression_type="ZSTD"),
                                               source(CSV, input_format_options=dict(delimiter="\t"))],
                             ids=["export", "csv", "bucket-only", "ion-zstd", "csv-tab-with-header-line"])
    def test_valid_sources_pass(self, import_source):
        assert lines([orders(import_source)]) == []

    def test_not_a_mapping(self):
        assert lines([orders("s3://ai-chef-exports/exports/orders/")]) == [
            'error ai-chef-orders-v2 import_source: Table ai-chef-orders-v2, import_source: import_source must be a '
            "mapping with at least s3_bucket, e.g. {s3_bucket: my-exports, s3_key_prefix: exports/orders/, "
            'input_format: DYNAMODB_JSON}, got the string "s3://ai-chef-exports/exports/orders/".']

    def test_missing_bucket_is_one_line(self):
        assert lines([orders(source(s3_bucket=None))]) == [
            "error ai-chef-orders-v2 import_source.s3_bucket: Table ai-chef-orders-v2, import_source.s3_bucket: "
            "import_source needs s3_bucket, the name of the S3 bucket that holds the data to import (e.g. s3_bucket: "
            "my-exports)."]

    @pytest.mark.parametrize("bucket, says", [
        ("s3://ai-chef-exports", "is not a bucket name; write the bucket alone"),
        ("ai-chef-exports/orders", "is not a bucket name; write the bucket alone"),
        ("AI_Chef_Exports", "is not an S3 bucket name; a bucket name is 3-63 lowercase"),
        ("ab", "is not an S3 bucket name"),
        ("x" * 64, "is not an S3 bucket name"),
        ("ai-chef..exports", "is not an S3 bucket name"),
        ("192.168.10.20", "is not an S3 bucket name"),
        ("ai-chef-exports-", "is not an S3 bucket name"),
    ])
    def test_bucket_name_shape(self, bucket, says):
        found = lint_tables([orders(source(s3_bucket=bucket))])

        assert [(f["severity"], f["field"]) for f in found] == [("error", "import_source.s3_bucket")]
        assert says in found[0]["message"]

    @pytest.mark.parametrize("field, value, says", [
        ("input_format", "JSON", '"JSON" is not a valid input_format; use one of DYNAMODB_JSON, ION, CSV.'),
        ("input_compression_type", "gzip",
         '"gzip" is not a valid input_compression_type (did you mean "GZIP"?); use one of GZIP, ZSTD, NONE.'),
        ("s3_bucket_owner", 12345678901, "must be the 12-digit account id of the bucket's owner as a quoted string"),
        ("s3_key_prefix", "s3://ai-chef-exports/exports/", "is a URL, not a key prefix"),
        ("s3_key_prefix", "x" * 1025, "s3_key_prefix must be a key prefix of at most 1024 characters"),
    ])
    def test_bad_values_name_the_field(self, field, value, says):
        found = lint_tables([orders(source(**{field: value}))])

        assert [(f["severity"], f["field"]) for f in found] == [("error", "import_source." + field)]
        assert says in found[0]["message"]

    def test_unknown_key_suggests_the_spelling(self):
        found = lint_tables([orders(source(s3_prefix="exports/orders/"))])

        assert [f["field"] for f in found] == ["import_source.s3_prefix"]
        assert 'did you mean "s3_key_prefix"?' in found[0]["message"]

    def test_leading_slash_in_prefix_is_a_warning(self):
        found = lint_tables([orders(source(s3_key_prefix="/exports/orders/"))])

        assert [(f["severity"], f["field"]) for f in found] == [("warning", "import_source.s3_key_prefix")]

    @pytest.mark.parametrize("input_format", [None, "DYNAMODB_JSON", "ION"])
    def test_csv_options_only_with_csv(self, input_format):
        found = lint_tables([orders(source(input_format=input_format,
                                           input_format_options=dict(delimiter=",")))])

        assert [(f["severity"], f["field"]) for f in found] == [("error", "import_source.input_format_options")]
        assert found[0]["message"].endswith("applies to CSV data only, and input_format is %s; remove "
                                            "input_format_options or set input_format: CSV."
                                            % (input_format or "DYNAMODB_JSON"))

    def test_csv_options_problems_one_line_each(self):
        options = dict(delimiter="#", header_list=["itemId", 'say "hi"', "itemId"], quote='"')
        found = lint_tables([orders(source(CSV, input_format_options=options))])

        assert [f["field"] for f in found] == [
            "import_source.input_format_options.quote", "import_source.input_format_options.delimiter",
            "import_source.input_format_options.header_list[1]", "import_source.input_format_options.header_list",
            "import_source.input_format_options.header_list", "import_source.input_format_options.header_list"]
        messages = [f["message"] for f in found]
        assert '"#" is not a delimiter DynamoDB imports' in messages[1]
        assert "header_list names itemId more than once" in messages[3]
        assert "no column orderId, the table's hash_key; every row would fail to import" in messages[4]
        assert "no column createdAt, the table's range_key" in messages[5]

    def test_empty_header_list(self):
        found = lint_tables([orders(source(CSV, input_format_options=dict(header_list=[])))])

        assert [f["field"] for f in found] == ["import_source.input_format_options.header_list"]
        assert "must be a list of 1-255 column names, got a list" in found[0]["message"]

    def test_local_secondary_indexes_cannot_be_imported(self):
        index = dict(name="byTotal", range_key=dict(name="orderTotal", type="N"))
        entry = orders(EXPORT, local_secondary_indexes=[index])
        found = lint_tables([entry])

        assert [f["field"] for f in found] == ["import_source"]
        assert "cannot have local_secondary_indexes" in found[0]["message"]

    def test_global_secondary_indexes_can(self):
        entry = orders(EXPORT, global_secondary_indexes=[dict(name="customerId-index",
                                                              hash_key=dict(name="customerId", type="S"))])
        assert lines([entry]) == []


class TestReadBack:
    @pytest.mark.parametrize("import_source", [EXPORT, CSV, dict(s3_bucket="ai-chef-exports",
                                                                 input_format="DYNAMODB_JSON")],
                             ids=["export", "csv", "bucket-only"])
    def test_rendered_template_reads_back_to_the_same_source(self, import_source):
        template = parse_template(render_template_body([orders(import_source)]))

        declarations, findings, skipped = template_table_declarations(template)

        assert (findings, skipped) == ([], [])
        assert declarations[0]["import_source"] == import_source
        assert table_properties(render_stack_template(declarations)) == table_properties(template)

    def test_template_file_with_a_bad_source_goes_through_the_lint(self):
        template = render_stack_template([orders(EXPORT)])
        table_properties(template)["ImportSourceSpecification"].update(InputFormat="CSV", InputCompressionType="LZ4")
        declarations = template_table_declarations(template)[0]

        assert [f["field"] for f in lint_tables(declarations)] == ["import_source.input_compression_type"]

    def test_template_without_input_format_is_a_finding(self):
        template = render_stack_template([orders(EXPORT)])
        del table_properties(template)["ImportSourceSpecification"]["InputFormat"]

        declarations, findings, _skipped = template_table_declarations(template)

        assert declarations == []
        assert findings == ["Resources.%s.ImportSourceSpecification: no InputFormat, which CloudFormation requires; "
                            "add InputFormat: DYNAMODB_JSON, ION or CSV" % ORDERS]


class TestReplacement:
    def replacements(self, deployed, declared):
        plan = IndexPlan(render_stack_template([deployed]), render_stack_template([declared]))
        return [(logical_id, name) for logical_id, name, _why in plan.replacements], plan

    def test_unchanged_source_is_no_replacement(self):
        found, plan = self.replacements(orders(EXPORT), orders(EXPORT))

        assert (found, plan.refusals) == ([], [])

    @pytest.mark.parametrize("deployed, declared, says", [
        (orders(), orders(EXPORT), "is added (s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON)"),
        (orders(EXPORT), orders(), "is removed (it was s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON)"),
        (orders(EXPORT), orders(source(s3_key_prefix="exports/orders-2/")),
         "changes (s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON -> s3://ai-chef-exports/exports/orders-2/ "
         "DYNAMODB_JSON)"),
        (orders(EXPORT), orders(source(input_compression_type=None)),
         "changes (s3://ai-chef-exports/exports/orders/ DYNAMODB_JSON, in its compression, CSV options or bucket "
         "owner)"),
    ], ids=["added", "removed", "prefix-changed", "compression-dropped"])
    def test_any_change_is_a_named_replacement(self, deployed, declared, says):
        found, plan = self.replacements(deployed, declared)

        assert found == [(ORDERS, "ai-chef-orders-v2")]
        why = plan.replacements[0][2]
        assert why.startswith("its ImportSourceSpecification (import_source) " + says), why
        assert "keep the import_source the table was created with" in why

    def test_key_and_source_change_are_named_together(self):
        declared = orders(source(s3_key_prefix="exports/orders-2/"), hash_key=dict(name="orderId", type="N"))
        found, plan = self.replacements(orders(EXPORT), declared)

        assert found == [(ORDERS, "ai-chef-orders-v2")]
        assert "ImportSourceSpecification (import_source) changes" in plan.replacements[0][2]
        assert plan.replacements[0][2].endswith("from orderId (S) + createdAt (N) to orderId (N) + createdAt (N)")

    def test_new_table_with_an_import_is_no_replacement(self):
        other = dict(name="ai-chef-pantry", hash_key=dict(name="itemId", type="S"))
        plan = IndexPlan(render_stack_template([other]), render_stack_template([other, orders(EXPORT)]))

        assert (plan.replacements, plan.refusals) == ([], [])
