"""iam_policies: least-privilege policies generated from the template the deploy applies.

The policies must parse, grant no "*" action, use resource "*" only for the actions IAM cannot scope, and name only
the declared stack, tables, indexes (and the tables' streams), alarms and log group, and the template bucket with
this stack's templates in it. They must also be complete:
every AWS call the deploy and verify code makes, and every permission CloudFormation's handlers need for what the
template can contain, is granted (checked against the code itself and cfn-lint's copy of the resource schemas).
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys

import botocore.session
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._iam import policies as iam_policies
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import CALLED_VIA_CLOUDFORMATION
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import MAX_MANAGED_POLICY_SIZE
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import application_policy
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import check_target
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import deployer_policy
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import policy_size
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import resource_arns
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import stack_policies
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.policies import stack_resource_names
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_stack_template


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
STACK, REGION, ACCOUNT = "ai-chef-dynamodb", "us-east-1", "123456789012"
KINDS = ("deployer", "planner", "application")

# The only actions allowed on resource "*": IAM's Service Authorization Reference gives them no resource type.
RESOURCE_STAR_ACTIONS = {
    "cloudformation:DescribeStackDriftDetectionStatus",  # takes a detection id only
    "cloudformation:ListExports",  # the account's exports (verification)
    "cloudformation:ListImports",  # the stacks importing an export (plan step)
    "logs:DescribeLogGroups",  # lists by name prefix (verification, log group handlers)
    "logs:DescribeIndexPolicies",  # log group read handler
    "logs:DescribeResourcePolicies",  # log group read handler, account-wide
}
WRITE_VERB = re.compile(r":(Create|Update|Delete|Put|Execute|Tag|Untag|Rollback|Continue|Batch)")


def role_defaults():
    with open(os.path.join(ROOT, "roles", "dynamodb_stack", "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


def settings_of(variables):
    return dict(name_prefix=variables["dynamodb_stack_table_name_prefix"],
                alarm_name_prefix=variables["dynamodb_stack_alarm_name_prefix"],
                alarms=variables["dynamodb_stack_alarms"], log_group_name=variables["dynamodb_stack_log_group_name"],
                table_tags=variables["dynamodb_stack_table_tags"])


def declarations():
    """(id, template) of the role's defaults, each example and the team's original template."""
    defaults = role_defaults()
    found = [("default", render_stack_template(defaults["dynamodb_stack_tables"], settings_of(defaults)))]
    for path in sorted(glob.glob(os.path.join(ROOT, "files", "examples", "*.yml"))):
        with open(path) as handle:
            variables = yaml.safe_load(handle) or {}
        if "dynamodb_stack_tables" in variables:
            found.append((os.path.basename(path), render_stack_template(
                variables["dynamodb_stack_tables"], settings_of(dict(defaults, **variables)))))
    with open(os.path.join(ROOT, "files", "dynamodb-schema.yaml")) as handle:
        found.append(("team-template", parse_template(handle.read())))
    return found


DECLARATIONS = declarations()


def generate(template, **options):
    defaults = role_defaults()
    options.setdefault("name_prefix", defaults["dynamodb_stack_table_name_prefix"])
    options.setdefault("alarm_name_prefix", defaults["dynamodb_stack_alarm_name_prefix"])
    return stack_policies(template, STACK, REGION, ACCOUNT, **options)


def statements(document):
    return document["Statement"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def declared_arns(template):
    """Every ARN a policy may name, built here from the template independently of the code under test."""
    base = "arn:aws:%s:" + REGION + ":" + ACCOUNT + ":"
    bucket = "arn:aws:s3:::aichef-dynamodb-templates-%s-%s" % (ACCOUNT, REGION)
    allowed = {base % "cloudformation" + "stack/%s/*" % STACK, "*", bucket, bucket + "/" + STACK + "/*"}
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::DynamoDB::Table":
            table = base % "dynamodb" + "table/" + properties["TableName"]
            allowed |= {table, table + "/stream/*"}
            for index in properties.get("GlobalSecondaryIndexes", []) + properties.get("LocalSecondaryIndexes", []):
                allowed.add(table + "/index/" + index["IndexName"])
            source = properties.get("ImportSourceSpecification", {}).get("S3BucketSource")
            if source:  # created from S3: its imports, the source's bucket and files, the imports' log groups
                objects = "arn:aws:s3:::%s/%s*" % (source["S3Bucket"], source.get("S3KeyPrefix", ""))
                allowed |= {table + "/import/*", "arn:aws:s3:::" + source["S3Bucket"], objects,
                            base % "logs" + "log-group:/aws-dynamodb/*"}
        elif resource["Type"] == "AWS::CloudWatch::Alarm":
            allowed.add(base % "cloudwatch" + "alarm:" + properties["AlarmName"])
        elif resource["Type"] == "AWS::Logs::LogGroup":
            group = base % "logs" + "log-group:" + properties["LogGroupName"]
            allowed |= {group, group + ":*"}
    return allowed


@pytest.fixture(scope="module")
def default_template():
    return DECLARATIONS[0][1]


@pytest.fixture(scope="module")
def default_policies(default_template):
    return generate(default_template)


class TestStackPolicies:
    @pytest.mark.parametrize("name, template", DECLARATIONS, ids=[name for name, dummy in DECLARATIONS])
    def test_stack_policies_every_declaration_parses_and_fits(self, name, template):
        """Each document is valid JSON with the policy grammar's keys, unique Sids, and fits a managed policy."""
        result = generate(template)
        assert result["scope"] == "names"
        for kind in KINDS:
            document = json.loads(json.dumps(result[kind]))
            assert document == result[kind]
            assert set(document) == {"Version", "Statement"} and document["Version"] == "2012-10-17"
            sids = [statement["Sid"] for statement in document["Statement"]]
            assert len(sids) == len(set(sids)) and all(re.match(r"^[A-Za-z0-9]+$", sid) for sid in sids)
            for statement in document["Statement"]:
                assert statement["Effect"] == "Allow"
                assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
            assert policy_size(document) <= MAX_MANAGED_POLICY_SIZE

    @pytest.mark.parametrize("name, template", DECLARATIONS, ids=[name for name, dummy in DECLARATIONS])
    def test_stack_policies_no_wildcard_action(self, name, template):
        result = generate(template)
        for kind in KINDS:
            for statement in statements(result[kind]):
                for action in as_list(statement["Action"]):
                    assert "*" not in action and "?" not in action, (kind, action)

    @pytest.mark.parametrize("name, template", DECLARATIONS, ids=[name for name, dummy in DECLARATIONS])
    def test_stack_policies_resource_star_only_for_actions_without_resource_type(self, name, template):
        result = generate(template)
        for kind in KINDS:
            for statement in statements(result[kind]):
                if "*" in as_list(statement["Resource"]):
                    assert as_list(statement["Resource"]) == ["*"], statement["Sid"]
                    assert set(as_list(statement["Action"])) <= RESOURCE_STAR_ACTIONS, statement["Sid"]

    @pytest.mark.parametrize("name, template", DECLARATIONS, ids=[name for name, dummy in DECLARATIONS])
    def test_stack_policies_name_only_the_declared_resources(self, name, template):
        """Stack, tables (and their streams), indexes, alarms and log group of this template; nothing else."""
        allowed = declared_arns(template)
        result = generate(template)
        for kind in KINDS:
            for statement in statements(result[kind]):
                for resource in as_list(statement["Resource"]):
                    assert resource in allowed, (kind, resource)

    def test_a_table_created_from_s3_gets_the_imports_permissions_on_its_source_only(self, default_policies):
        """every-option.yml's ai-chef-archive is created from s3://ai-chef-exports/archive/2026/: the deployer may
        start and poll its import only through CloudFormation, list that bucket, read that prefix and write the
        import's error log; the default stack, with no such table, gets none of it, nor does the planner."""
        template = dict(DECLARATIONS)["every-option.yml"]
        result = generate(template)
        by_sid = dict((statement["Sid"], statement) for statement in statements(result["deployer"]))
        table = "arn:aws:dynamodb:%s:%s:table/ai-chef-archive" % (REGION, ACCOUNT)
        assert by_sid["DynamoDBImportTablesViaCloudFormation"] == dict(
            Sid="DynamoDBImportTablesViaCloudFormation", Effect="Allow",
            Action=["dynamodb:DescribeImport", "dynamodb:ImportTable"], Resource=[table, table + "/import/*"],
            Condition=CALLED_VIA_CLOUDFORMATION)
        assert by_sid["S3ListImportSources"]["Resource"] == "arn:aws:s3:::ai-chef-exports"
        assert by_sid["S3ReadImportSources"]["Resource"] == "arn:aws:s3:::ai-chef-exports/archive/2026/*"
        assert by_sid["LogsImportErrors"]["Resource"] == "arn:aws:logs:%s:%s:log-group:/aws-dynamodb/*" % (
            REGION, ACCOUNT)
        import_sids = {"DynamoDBImportTablesViaCloudFormation", "S3ListImportSources", "S3ReadImportSources",
                       "LogsImportErrors"}
        assert not import_sids & {statement["Sid"] for statement in statements(result["planner"])}
        assert not import_sids & {statement["Sid"] for statement in statements(default_policies["deployer"])}

    def test_an_import_without_a_log_group_in_the_stack_still_may_describe_log_groups(self):
        """logs:DescribeLogGroups has no resource type: the import's need of it is granted on "*" even when the
        stack declares no log group of its own."""
        template = copy.deepcopy(dict(DECLARATIONS)["every-option.yml"])
        template["Resources"] = dict((name, resource) for name, resource in template["Resources"].items()
                                     if resource["Type"] != "AWS::Logs::LogGroup")
        by_sid = dict((statement["Sid"], statement) for statement in statements(generate(template)["deployer"]))
        assert "LogsReadLogGroup" not in by_sid and "LogsImportErrors" in by_sid
        assert by_sid["LogsNoResourceType"]["Resource"] == "*"
        assert "logs:DescribeLogGroups" in by_sid["LogsNoResourceType"]["Action"]

    def test_stack_policies_names_tables_indexes_alarms_and_log_group(self, default_template, default_policies):
        assert default_policies["resources"] == dict(
            stack="arn:aws:cloudformation:us-east-1:123456789012:stack/ai-chef-dynamodb/*",
            tables=["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-sessions",
                    "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results"],
            indexes=["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results/index/sessionId-index"],
            alarms=["arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + resource["Properties"]["AlarmName"]
                    for resource in default_template["Resources"].values()
                    if resource["Type"] == "AWS::CloudWatch::Alarm"],
            log_groups=["arn:aws:logs:us-east-1:123456789012:log-group:/aws/dynamodb/ai-chef-tables",
                        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/dynamodb/ai-chef-tables:*"])
        assert len(default_policies["resources"]["alarms"]) == 10

    def test_stack_policies_team_template_names_its_one_alarm(self):
        result = generate(DECLARATIONS[-1][1])
        assert result["resources"]["alarms"] == [
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:AI-Chef-DynamoDB-SessionsTable-Errors"]

    def test_stack_policies_cloudformation_only_on_this_stack(self, default_policies):
        for kind in ("deployer", "planner"):
            for statement in statements(default_policies[kind]):
                actions = as_list(statement["Action"])
                if any(action.startswith("cloudformation:") for action in actions) and statement["Resource"] != "*":
                    assert statement["Resource"] == default_policies["resources"]["stack"]

    def test_stack_policies_deployer_grants_no_iam_action(self, default_policies):
        """The CI role must not be able to widen its own rights: the IAM stack is an administrator's."""
        actions = [a for statement in statements(default_policies["deployer"]) for a in as_list(statement["Action"])]
        assert not [action for action in actions if action.split(":")[0] in ("iam", "sts", "kms", "organizations")]

    def test_stack_policies_data_holders_change_only_through_cloudformation(self, default_policies):
        for statement in statements(default_policies["deployer"]):
            actions = as_list(statement["Action"])
            changes_data_holder = any(WRITE_VERB.search(action) for action in actions if
                                      action.split(":")[0] in ("dynamodb", "logs"))
            if changes_data_holder:
                assert statement["Condition"] == CALLED_VIA_CLOUDFORMATION, statement["Sid"]

    def test_stack_policies_scan_only_counts(self, default_policies):
        scans = [statement for kind in ("deployer", "planner") for statement in statements(default_policies[kind])
                 if "dynamodb:Scan" in as_list(statement["Action"])]
        assert len(scans) == 2
        for statement in scans:
            assert as_list(statement["Action"]) == ["dynamodb:Scan"]
            assert statement["Condition"] == {"StringEquals": {"dynamodb:Select": "COUNT"}}

    def test_stack_policies_called_via_cloudformation_off_drops_the_condition(self, default_template):
        result = generate(default_template, called_via_cloudformation=False)
        conditions = [statement.get("Condition") for statement in statements(result["deployer"])]
        assert CALLED_VIA_CLOUDFORMATION not in conditions
        assert {"StringEquals": {"dynamodb:Select": "COUNT"}} in conditions

    def test_stack_policies_planner_reads_and_previews_only(self, default_policies):
        deployer = dict((s["Sid"], s) for s in statements(default_policies["deployer"]))
        for statement in statements(default_policies["planner"]):
            assert set(as_list(statement["Action"])) <= set(as_list(deployer[statement["Sid"]]["Action"]))
            assert statement["Resource"] == deployer[statement["Sid"]]["Resource"]
            for action in as_list(statement["Action"]):
                if WRITE_VERB.search(action):
                    assert action in ("cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
                                      "cloudformation:TagResource"), action

    def test_stack_policies_application_is_the_guides_policy(self, default_policies):
        assert statements(default_policies["application"]) == [
            dict(Sid="ReadWriteItemsOfTheTables", Effect="Allow",
                 Action=["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
                         "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                 Resource=["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-sessions",
                           "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results"]),
            dict(Sid="QueryTheIndexes", Effect="Allow", Action=["dynamodb:Query"],
                 Resource="arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results/index/sessionId-index")]

    def test_stack_policies_no_index_no_index_statement(self):
        template = render_stack_template([dict(name="ai-chef-sessions", hash_key=dict(name="sessionId"))])
        result = generate(template)
        assert [s["Sid"] for s in statements(result["application"])] == ["ReadWriteItemsOfTheTables"]
        assert result["resources"]["indexes"] == []

    def test_stack_policies_local_index_is_named(self):
        template = render_stack_template([dict(name="ai-chef-events", hash_key=dict(name="PK"),
                                               range_key=dict(name="SK"),
                                               local_secondary_indexes=[dict(name="byDate",
                                                                             range_key=dict(name="createdAt"))])])
        assert generate(template)["resources"]["indexes"] == [
            "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-events/index/byDate"]

    def test_stack_policies_no_log_group_no_logs_statement(self):
        template = render_stack_template([dict(name="ai-chef-sessions", hash_key=dict(name="sessionId"))],
                                         dict(log_group_name=""))
        actions = [a for s in statements(generate(template)["deployer"]) for a in as_list(s["Action"])]
        assert not [action for action in actions if action.startswith("logs:")]

    def test_stack_policies_no_alarm_no_cloudwatch_statement(self):
        template = render_stack_template([dict(name="ai-chef-sessions", hash_key=dict(name="sessionId"), alarms=False)])
        actions = [a for s in statements(generate(template)["deployer"]) for a in as_list(s["Action"])]
        assert not [action for action in actions if action.startswith("cloudwatch:")]

    def test_stack_policies_names_resolved_from_pseudo_parameters_and_defaults(self):
        template = dict(Parameters=dict(Suffix=dict(Type="String", Default="v2")), Resources=dict(
            Table=dict(Type="AWS::DynamoDB::Table", Properties=dict(
                TableName={"Fn::Sub": "${AWS::StackName}-sessions-${Suffix}"})),
            Logs=dict(Type="AWS::Logs::LogGroup", Properties=dict(
                LogGroupName={"Fn::Join": ["/", ["/aws/dynamodb", {"Ref": "AWS::Region"}]]}))))
        resources = generate(template)["resources"]
        assert resources["tables"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-dynamodb-sessions-v2"]
        assert resources["log_groups"][0] == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/dynamodb/us-east-1"

    def test_stack_policies_partition_in_every_arn(self, default_template):
        result = stack_policies(default_template, STACK, "cn-north-1", ACCOUNT, partition="aws-cn")
        arns = [arn for arns in result["resources"].values() for arn in as_list(arns)]
        assert all(arn.startswith("arn:aws-cn:") and ":cn-north-1:123456789012:" in arn for arn in arns)

    def test_stack_policies_roles_attached_in_the_stack_template(self, default_policies, default_template):
        result = generate(default_template,
                          roles=dict(deployer=["github-deploy"], application=["lambda-execution-role"]))
        resources = result["stack_template"]["Resources"]
        assert resources["DeployerPolicy"]["Properties"]["Roles"] == ["github-deploy"]
        assert resources["ApplicationPolicy"]["Properties"]["Roles"] == ["lambda-execution-role"]
        assert "Roles" not in resources["PlannerPolicy"]["Properties"]

    def test_stack_policies_stack_template_holds_the_documents_unnamed(self, default_policies):
        template = default_policies["stack_template"]
        assert set(template["Resources"]) == {"DeployerPolicy", "PlannerPolicy", "ApplicationPolicy"}
        for kind in KINDS:
            resource = template["Resources"][kind.capitalize() + "Policy"]
            assert resource["Type"] == "AWS::IAM::ManagedPolicy"
            assert resource["Properties"]["PolicyDocument"] == default_policies[kind]
            assert "ManagedPolicyName" not in resource["Properties"]  # CAPABILITY_IAM suffices
            logical_id = kind.capitalize() + "Policy"
            assert template["Outputs"][logical_id + "Arn"]["Value"] == {"Ref": logical_id}
        assert "&id" not in yaml.safe_dump(default_policies)  # no shared objects: CloudFormation rejects YAML aliases


class TestTemplateBucket:
    """The template upload (cloudformation_template_upload): the collection's bucket of the account and region,
    found or created, and this stack's templates in it; never the bucket's policy, never a delete."""
    BUCKET = "arn:aws:s3:::aichef-dynamodb-templates-123456789012-us-east-1"

    @staticmethod
    def s3_statements(document):
        return dict((statement["Sid"], statement) for statement in statements(document)
                    if any(action.startswith("s3:") for action in as_list(statement["Action"])))

    def test_deployer_finds_creates_and_hardens_the_own_bucket(self, default_policies):
        found = self.s3_statements(default_policies["deployer"])
        assert found == dict(
            S3TemplateBucket=dict(Sid="S3TemplateBucket", Effect="Allow", Resource=self.BUCKET, Action=[
                "s3:CreateBucket", "s3:ListBucket", "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration"]),
            S3TemplatesOfThisStack=dict(Sid="S3TemplatesOfThisStack", Effect="Allow", Action=[
                "s3:GetObject", "s3:PutObject"], Resource=self.BUCKET + "/ai-chef-dynamodb/*"))

    def test_deployer_never_writes_the_bucket_policy_nor_deletes(self, default_policies):
        """A role that writes a bucket's policy can grant itself anything on the bucket (parliament's
        RESOURCE_POLICY_PRIVILEGE_ESCALATION): the upload module warns and goes on without it."""
        actions = granted(default_policies["deployer"])
        assert not [action for action in actions if action.startswith("s3:") and
                    re.search(r":(PutBucketPolicy|PutBucketAcl|PutObjectAcl|Delete)", action)]

    def test_planner_only_reads_the_templates(self, default_policies):
        found = self.s3_statements(default_policies["planner"])
        assert dict((sid, as_list(statement["Action"])) for sid, statement in found.items()) == dict(
            S3TemplateBucket=["s3:ListBucket"], S3TemplatesOfThisStack=["s3:GetObject"])

    def test_user_bucket_is_only_read_and_written_never_created(self, default_template):
        result = generate(default_template, template_bucket="team-cfn-templates")
        found = self.s3_statements(result["deployer"])
        assert found["S3TemplateBucket"]["Action"] == ["s3:ListBucket"]
        assert found["S3TemplateBucket"]["Resource"] == "arn:aws:s3:::team-cfn-templates"
        assert found["S3TemplatesOfThisStack"]["Resource"] == "arn:aws:s3:::team-cfn-templates/ai-chef-dynamodb/*"

    def test_bucket_named_from_the_account_region_and_partition(self, default_template):
        result = stack_policies(default_template, STACK, "cn-north-1", ACCOUNT, partition="aws-cn")
        found = self.s3_statements(result["deployer"])
        assert found["S3TemplateBucket"]["Resource"] == \
            "arn:aws-cn:s3:::aichef-dynamodb-templates-123456789012-cn-north-1"


class TestScope:
    @staticmethod
    def large_template(count=60):
        return render_stack_template([
            dict(name="ai-chef-bulk-%03d" % n, hash_key=dict(name="PK"),
                 global_secondary_indexes=[dict(name="byOwner", hash_key=dict(name="ownerId"))])
            for n in range(count)])

    def test_stack_policies_auto_large_stack_uses_the_prefix(self):
        result = generate(self.large_template())
        assert result["scope"] == "prefix"
        assert result["resources"]["tables"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-*"]
        assert result["resources"]["indexes"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-*/index/*"]
        assert result["resources"]["alarms"] == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:AI-Chef-DynamoDB-*"]
        assert all(policy_size(result[kind]) <= MAX_MANAGED_POLICY_SIZE for kind in KINDS)

    def test_stack_policies_names_large_stack_raises(self):
        with pytest.raises(ValueError, match=r"the deployer policy would be \d+ characters, .*and IAM allows 6144 .*"
                                             r"use scope prefix or auto"):
            generate(self.large_template(), scope="names")

    def test_resource_arns_prefix_lists_names_outside_the_prefix(self):
        names = dict(tables=[dict(name="ai-chef-a", indexes=["i"]), dict(name="legacy", indexes=["j"])],
                     alarms=["AI-Chef-DynamoDB-A", "Other"], log_groups=[])
        arns = resource_arns(names, STACK, REGION, ACCOUNT, scope="prefix", name_prefix="ai-chef-",
                             alarm_name_prefix="AI-Chef-DynamoDB-")
        table = "arn:aws:dynamodb:us-east-1:123456789012:table/"
        assert arns["tables"] == [table + "ai-chef-*", table + "legacy"]
        assert arns["indexes"] == [table + "ai-chef-*/index/*", table + "legacy/index/j"]
        assert arns["tables_and_streams"] == [table + "ai-chef-*", table + "legacy", table + "legacy/stream/*"]
        assert arns["alarms"] == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:AI-Chef-DynamoDB-*",
                                  "arn:aws:cloudwatch:us-east-1:123456789012:alarm:Other"]

    def test_resource_arns_prefix_without_prefix_lists_names(self):
        names = dict(tables=[dict(name="orders", indexes=[])], alarms=["a"], log_groups=[])
        arns = resource_arns(names, STACK, REGION, ACCOUNT, scope="prefix")
        assert arns["tables"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]
        assert arns["alarms"] == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"]


class TestBadInput:
    @pytest.mark.parametrize("stack_name, region, account_id, partition, message", [
        pytest.param("1stack", REGION, ACCOUNT, "aws", "not a CloudFormation stack name", id="stack-digit"),
        pytest.param("ai_chef", REGION, ACCOUNT, "aws", "not a CloudFormation stack name", id="stack-underscore"),
        pytest.param(STACK, "US-EAST-1", ACCOUNT, "aws", "not an AWS region", id="region-case"),
        pytest.param(STACK, "", ACCOUNT, "aws", "not an AWS region", id="region-empty"),
        pytest.param(STACK, REGION, "12345678901", "aws", "not a 12-digit AWS account id", id="account-11"),
        pytest.param(STACK, REGION, 123456789012, "aws", "not a 12-digit AWS account id", id="account-int"),
        pytest.param(STACK, REGION, "*", "aws", "not a 12-digit AWS account id", id="account-star"),
        pytest.param(STACK, REGION, ACCOUNT, "aws-eu", "partition 'aws-eu' is not one of", id="partition"),
    ])
    def test_check_target_bad_value_raises(self, stack_name, region, account_id, partition, message):
        with pytest.raises(ValueError, match=message):
            check_target(stack_name, region, account_id, partition)

    def test_stack_policies_bad_scope_raises(self, default_template):
        with pytest.raises(ValueError, match="scope 'all' is not one of auto, names, prefix"):
            generate(default_template, scope="all")

    def test_stack_policies_unknown_role_kind_raises(self, default_template):
        with pytest.raises(ValueError, match="roles: unknown policy admin"):
            generate(default_template, roles=dict(admin=["x"]))

    @pytest.mark.parametrize("resources, message", [
        pytest.param(dict(Q=dict(Type="AWS::SQS::Queue")), "Q is a AWS::SQS::Queue: these policies cover",
                     id="other-type"),
        pytest.param(dict(T=dict(Type="AWS::DynamoDB::Table", Properties={})), "T has no TableName", id="no-name"),
        pytest.param(dict(T=dict(Type="AWS::DynamoDB::Table",
                                 Properties=dict(TableName={"Fn::GetAtt": ["X", "Name"]}))),
                     "T.TableName is only known once CloudFormation creates the stack", id="get-att"),
        pytest.param(dict(T=dict(Type="AWS::DynamoDB::Table", Properties=dict(TableName={"Ref": "Missing"}))),
                     "T.TableName is only known once CloudFormation creates the stack", id="ref-no-default"),
        pytest.param(dict(T=dict(Type="AWS::DynamoDB::Table", Properties=dict(
            TableName="t", GlobalSecondaryIndexes=[dict(IndexName={"Ref": "X"})]))), "every index needs a literal",
            id="index-intrinsic"),
        pytest.param(dict(L=dict(Type="AWS::Logs::LogGroup", Properties=dict(LogGroupName="/x"))),
                     "the template declares no DynamoDB table", id="no-table"),
    ])
    def test_stack_resource_names_bad_template_raises(self, resources, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            stack_resource_names(dict(Resources=resources), STACK, REGION, ACCOUNT)


# --- completeness: the policy grants what the code and CloudFormation's handlers call ------------------------

# AWS calls of this collection that the deploy and verify workflow never makes, so the deployer never gets them.
NOT_DEPLOY_CALLS = {
    "dynamodb:BatchWriteItem": "dynamodb_table_migration (playbooks/migrate-dynamodb-table.yml), run by a person",
    "dynamodb:GetItem": "dynamodb_table_migration sample verification",
    "dynamodb:ExportTableToPointInTime": "dynamodb_table_s3_migration's export stage, run by a person",
    "dynamodb:DescribeExport": "dynamodb_table_s3_migration, following its export",
    "dynamodb:ImportTable": "dynamodb_table_s3_migration's import stage (creates the new table), run by a person",
    "dynamodb:DescribeImport": "dynamodb_table_s3_migration, following its import",
    "dynamodb:ListBackups": "dynamodb_table_diagnose (playbooks/diagnose-dynamodb.yml)",
    "cloudwatch:GetMetricData": "dynamodb_table_diagnose",
    "cloudwatch:ListMetrics": "dynamodb_table_diagnose",
    "cloudformation:ListChangeSets": "amazon.aws.cloudformation with create_changeset, which the role never sets",
    "s3:PutBucketPolicy": "cloudformation_template_upload's TLS-only policy of a new bucket: left out on purpose "
                          "(a role writing bucket policies can widen its own rights); the module warns without it",
    "sts:GetCallerIdentity": "cloudformation_template_upload; needs no IAM permission (an explicit deny is ignored)",
}
# The IAM action of an S3 operation whose name differs from it (Service Authorization Reference).
S3_IAM_ACTIONS = {"HeadBucket": "ListBucket", "HeadObject": "GetObject",
                  "PutBucketEncryption": "PutEncryptionConfiguration",
                  "PutPublicAccessBlock": "PutBucketPublicAccessBlock"}
# Handler permissions for properties the renderer never writes (create/update handlers only; read and delete
# handlers are always granted in full).
NOT_RENDERED = {
    "dynamodb:DescribeImport": "ImportSourceSpecification", "dynamodb:ImportTable": "ImportSourceSpecification",
    "s3:GetObject": "ImportSourceSpecification", "s3:GetObjectMetadata": "ImportSourceSpecification",
    "s3:ListBucket": "ImportSourceSpecification", "logs:CreateLogStream": "ImportSourceSpecification",
    "logs:DescribeLogStreams": "ImportSourceSpecification", "logs:PutLogEvents": "ImportSourceSpecification",
    "dynamodb:UpdateContributorInsights": "ContributorInsightsSpecification",
    "dynamodb:EnableKinesisStreamingDestination": "KinesisStreamSpecification",
    "dynamodb:DisableKinesisStreamingDestination": "KinesisStreamSpecification",
    "dynamodb:UpdateKinesisStreamingDestination": "KinesisStreamSpecification",
    "kinesis:DescribeStream": "KinesisStreamSpecification", "kinesis:PutRecords": "KinesisStreamSpecification",
    "dynamodb:CreateTableReplica": "replicas", "dynamodb:AssociateTableReplica": "replicas",
    "iam:CreateServiceLinkedRole": "replicas and auto scaling",
    "dynamodb:Scan": "replicas (granted for COUNT only)", "dynamodb:Query": "replicas",
    "dynamodb:UpdateItem": "replicas", "dynamodb:PutItem": "replicas", "dynamodb:GetItem": "replicas",
    "dynamodb:DeleteItem": "replicas", "dynamodb:BatchWriteItem": "replicas",
    "kms:CreateGrant": "SSESpecification.KMSMasterKeyId (the AWS managed key's policy already allows DynamoDB)",
    "kms:Decrypt": "SSESpecification.KMSMasterKeyId", "kms:DescribeKey": "SSESpecification.KMSMasterKeyId",
    "kms:ListAliases": "SSESpecification.KMSMasterKeyId", "kms:Encrypt": "SSESpecification.KMSMasterKeyId",
    "kms:RevokeGrant": "SSESpecification.KMSMasterKeyId",
    "logs:PutDataProtectionPolicy": "DataProtectionPolicy", "logs:CreateLogDelivery": "log delivery",
    "s3:REST.PUT.OBJECT": "log delivery", "firehose:TagDeliveryStream": "log delivery",
    "logs:PutResourcePolicy": "ResourcePolicyDocument", "logs:DeleteResourcePolicy": "ResourcePolicyDocument",
    "logs:PutIndexPolicy": "FieldIndexPolicies", "logs:DeleteIndexPolicy": "FieldIndexPolicies",
    "logs:PutBearerTokenAuthentication": "BearerTokenAuthenticationEnabled",
    "logs:AssociateKmsKey": "KmsKeyId", "logs:DisassociateKmsKey": "KmsKeyId",
    "logs:PutLogGroupDeletionProtection": "DeletionProtectionEnabled of a log group",
}
# Granted without a code call or a handler listing them: CloudFormation authorizes the stack's tags on create
# and update as TagResource/UntagResource on the stack (condition key cloudformation:CreateAction).
TAG_ON_CREATE = {"cloudformation:TagResource", "cloudformation:UntagResource"}
AMAZON_AWS_CLOUDFORMATION = os.path.join(ROOT, ".collections", "ansible_collections", "amazon", "aws", "plugins",
                                         "modules", "cloudformation.py")
# Operations several of the four services have; the code calls the CloudFormation ones (DynamoDB's are its S3
# export and import, which nothing here calls).
AMBIGUOUS_OPERATIONS = {"ListExports": "cloudformation", "ListImports": "cloudformation"}
CALL = re.compile(r'(?:client|cfn)\.(?!get_paginator)([a-z_]+)\('
                  r'|get_paginator\("([a-z_]+)"\)'
                  r'|\b(?:call|pages|all_pages)\(\s*client\.([a-z_]+),')  # _common/aws.py's wrappers get the method


def pascal(name):
    return "".join(part.capitalize() for part in name.split("_"))


def iam_actions_of_calls(paths):
    """{IAM action: [file, ...]} for every boto3 call in the files (service found in botocore's models)."""
    session = botocore.session.get_session()
    operations = dict((service, set(session.get_service_model(service).operation_names))
                      for service in ("cloudformation", "dynamodb", "cloudwatch", "logs", "s3", "sts"))
    found = {}
    for path in paths:
        with open(path) as handle:
            text = handle.read()
        for match in CALL.finditer(text):
            operation = pascal(next(group for group in match.groups() if group))
            services = [service for service, names in operations.items() if operation in names]
            if len(services) > 1:
                assert operation in AMBIGUOUS_OPERATIONS, \
                    "%s is an operation of %s: say which in AMBIGUOUS_OPERATIONS" % (operation, services)
                services = [AMBIGUOUS_OPERATIONS[operation]]
            for service in services:
                action = S3_IAM_ACTIONS.get(operation, operation) if service == "s3" else operation
                found.setdefault("%s:%s" % (service, action), []).append(os.path.relpath(path, ROOT))
    return found


def code_calls():
    paths = glob.glob(os.path.join(ROOT, "plugins", "**", "*.py"), recursive=True)
    if os.path.exists(AMAZON_AWS_CLOUDFORMATION):
        paths.append(AMAZON_AWS_CLOUDFORMATION)
    return iam_actions_of_calls(path for path in paths if not path.endswith("iam_policies.py"))


def handler_permissions():
    """{resource type: {handler: set(permissions)}} from cfn-lint's copy of the CloudFormation registry schemas."""
    schema_manager = pytest.importorskip("cfnlint.schema").PROVIDER_SCHEMA_MANAGER
    found = {}
    for resource_type in ("AWS::DynamoDB::Table", "AWS::CloudWatch::Alarm", "AWS::Logs::LogGroup"):
        handlers = schema_manager.get_resource_schema(REGION, resource_type).schema["handlers"]
        found[resource_type] = dict((handler, set(spec.get("permissions", []))) for handler, spec in handlers.items())
    return found


def granted(document):
    return set(action for statement in statements(document) for action in as_list(statement["Action"]))


class TestCompleteness:
    def test_deployer_grants_every_call_of_the_deploy_and_verify_code(self, default_policies):
        calls = code_calls()
        assert "cloudformation:CreateStack" in calls or not os.path.exists(AMAZON_AWS_CLOUDFORMATION)
        missing = dict((action, files) for action, files in calls.items()
                       if action not in granted(default_policies["deployer"]) and action not in NOT_DEPLOY_CALLS)
        assert not missing, ("calls the deployer policy does not grant: add them to DEPLOYER_STATEMENTS in "
                             "plugins/module_utils/_iam/policies.py, or, if the deploy and verify playbooks never "
                             "make them, to NOT_DEPLOY_CALLS here: %s" % missing)

    def test_deployer_grants_every_handler_permission_the_template_needs(self, default_policies):
        deployer = granted(default_policies["deployer"])
        for resource_type, handlers in handler_permissions().items():
            for handler in ("read", "delete"):
                assert not handlers[handler] - deployer, (resource_type, handler)
            for handler in ("create", "update"):
                assert not handlers[handler] - deployer - set(NOT_RENDERED), (resource_type, handler)

    def test_deployer_grants_nothing_unexplained(self, default_policies):
        handlers = set().union(*(permissions for by_handler in handler_permissions().values()
                                 for permissions in by_handler.values()))
        explained = set(code_calls()) | handlers | TAG_ON_CREATE
        assert not granted(default_policies["deployer"]) - explained

    def test_exclusion_tables_still_match_the_schemas(self):
        """An exclusion that no handler lists any more is stale: remove it."""
        handlers = set().union(*(permissions for by_handler in handler_permissions().values()
                                 for permissions in by_handler.values()))
        assert not set(NOT_RENDERED) - handlers


# --- the IAM linter --------------------------------------------------------------------------------------------

def test_parliament_finds_nothing_in_the_default_policies(tmp_path, default_policies):
    parliament = os.path.join(os.path.dirname(sys.executable), "parliament")
    if not os.path.exists(parliament):
        pytest.skip("parliament is not installed (requirements.txt)")
    files = []
    for kind in KINDS:
        path = tmp_path / ("%s.json" % kind)
        path.write_text(json.dumps(default_policies[kind], indent=2))
        files.append(str(path))
    result = subprocess.run([parliament, "--files", ",".join(files)], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_parliament_flags_a_wildcard_policy(tmp_path):
    """The linter is live: the guide's own example with resource "*" is reported."""
    parliament = os.path.join(os.path.dirname(sys.executable), "parliament")
    if not os.path.exists(parliament):
        pytest.skip("parliament is not installed (requirements.txt)")
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(dict(Version="2012-10-17", Statement=[dict(
        Effect="Allow", Action=["dynamodb:GetItem", "dynamodb:PutItem"], Resource="*")])))
    result = subprocess.run([parliament, "--files", str(path)], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "Unnecessary use of Resource *" in result.stdout


def test_deployer_policy_statement_rows_explain_themselves():
    for row in iam_policies.DEPLOYER_STATEMENTS:
        assert row["why"], row["sid"]
        if row["resources"] == iam_policies.ANY_RESOURCE:
            assert row["why"].startswith('"*": '), row["sid"]


def test_application_policy_only_tables():
    arns = dict(tables=["arn:aws:dynamodb:us-east-1:123456789012:table/t"], indexes=[])
    assert statements(application_policy(arns))[0]["Resource"] == "arn:aws:dynamodb:us-east-1:123456789012:table/t"


def test_deployer_policy_planner_subset_has_no_drift_detection():
    names = dict(tables=[dict(name="t", indexes=[])], alarms=[], log_groups=[])
    planner = granted(deployer_policy(resource_arns(names, STACK, REGION, ACCOUNT), planner=True))
    assert "cloudformation:DetectStackDrift" not in planner and "cloudformation:UpdateStack" not in planner
