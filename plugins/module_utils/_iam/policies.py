# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Least-privilege IAM policies of a DynamoDB stack, generated from the template the deploy applies.

Three identity policies, each naming only this stack, its tables and their indexes, its alarms and its log group:

* deployer: what the CI role needs to run playbooks/deploy-dynamodb.yml and playbooks/verify-dynamodb.yml
  (recovery, amazon.aws.cloudformation, verification with drift detection, and the upload of a template too large
  for TemplateBody to the template bucket, aichef.dynamodb.cloudformation_template_upload). CloudFormation creates
  the tables, alarms and log group with the caller's credentials, so the deployer also needs the handlers' actions;
  the ones that change a table or the log group are allowed only through CloudFormation (aws:CalledVia), so the
  role cannot touch a table directly, and CloudFormation only on this stack.
* planner: the read-only part plus a change-set preview, for `--check --diff` on pull requests.
* application: the guide's item actions on the tables and Query on their indexes.

Pure data in, data out: the resource names come from the rendered (or given) template, never from AWS.
"""

import copy
import json
import re

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.template_bucket import default_bucket_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import Unresolvable
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import stack_settings


POLICY_VERSION = "2012-10-17"

# IAM's quota for a managed policy document, counted without white space.
MAX_MANAGED_POLICY_SIZE = 6144

# How resources are named: "names" lists each one; "prefix" uses the guide's pattern (table/ai-chef-*); "auto"
# lists each one when every policy fits IAM's quota, else uses the prefix.
SCOPES = ("auto", "names", "prefix")

from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import ALARMS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import ANY_RESOURCE
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import CALLED_VIA_CLOUDFORMATION
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import DEPLOYER_STATEMENTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import IMPORT_LOG_GROUPS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import IMPORT_SOURCE_BUCKETS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import IMPORT_SOURCE_OBJECTS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import IMPORT_TABLES
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import INDEXES
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import LOG_GROUPS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import OWN_TEMPLATE_BUCKET
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import STACK
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import TABLES
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import TABLES_AND_STREAMS
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import TEMPLATE_BUCKET
from ansible_collections.aichef.dynamodb.plugins.module_utils._iam.statements import TEMPLATE_OBJECTS

# The guide's application policy: item actions on the tables, Query on their indexes.
APPLICATION_TABLE_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
                             "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem")
APPLICATION_INDEX_ACTIONS = ("dynamodb:Query",)

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def check_target(stack_name, region, account_id, partition):
    """ValueError naming the first of stack name, region, account id and partition that is not valid."""
    if not isinstance(stack_name, str) or not STACK_NAME.match(stack_name):
        raise ValueError("stack_name %r is not a CloudFormation stack name (a letter, then letters, digits and "
                         "hyphens, at most 128)" % (stack_name,))
    if not isinstance(region, str) or not REGION.match(region):
        raise ValueError("region %r is not an AWS region name such as us-east-1" % (region,))
    if not isinstance(account_id, str) or not ACCOUNT_ID.match(account_id):
        raise ValueError("account_id %r is not a 12-digit AWS account id (quote it in YAML: a leading zero "
                         "would be lost)" % (account_id,))
    if partition not in PARTITIONS:
        raise ValueError("partition %r is not one of %s" % (partition, ", ".join(PARTITIONS)))


def _pseudo_parameters(template, stack_name, region, account_id, partition):
    """What Ref and Fn::Sub can resolve to before the stack exists: pseudo parameters and parameter defaults."""
    refs = {"AWS::StackName": stack_name, "AWS::Region": region, "AWS::AccountId": account_id,
            "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"}
    for name, parameter in (template.get("Parameters") or {}).items():
        if isinstance(parameter, dict) and "Default" in parameter:
            refs[name] = parameter["Default"]
    return dict(refs=refs, attributes={})


def _name(resource_id, properties, key, context):
    try:
        value = resolve(properties.get(key), context)
    except Unresolvable as e:
        raise ValueError("%s.%s is only known once CloudFormation creates the stack (%s): name it literally, or "
                         "with pseudo parameters and parameter defaults, to generate its IAM policy"
                         % (resource_id, key, e))
    if not isinstance(value, str) or not value:
        raise ValueError("%s has no %s: CloudFormation would generate one, which no policy can name in advance; "
                         "set it" % (resource_id, key))
    return value


def _import_source(resource_id, properties, table_name, context):
    """The table created from S3 and where it reads from: its bucket, and its key prefix ("" for the whole bucket)."""
    source = (properties["ImportSourceSpecification"] or {}).get("S3BucketSource") or {}
    bucket = _name(resource_id, source, "S3Bucket", context)
    prefix = _name(resource_id, source, "S3KeyPrefix", context) if source.get("S3KeyPrefix") else ""
    return dict(table=table_name, bucket=bucket, prefix=prefix)


def stack_resource_names(template, stack_name, region, account_id, partition="aws"):
    """The names a policy must cover: tables with their index names, alarm names, log group names.

    Only the DynamoDB tables, CloudWatch alarms and log groups of the template are named: a template with any
    other resource type needs more than these policies grant, so that raises ValueError.
    """
    context = _pseudo_parameters(template, stack_name, region, account_id, partition)
    names = dict(tables=[], alarms=[], log_groups=[], imports=[])
    for resource_id, resource in (template.get("Resources") or {}).items():
        resource_type = resource.get("Type") if isinstance(resource, dict) else None
        properties = (resource or {}).get("Properties") or {}
        if resource_type == DYNAMODB_TABLE:
            indexes = [index.get("IndexName") for index in (properties.get("GlobalSecondaryIndexes") or []) +
                       (properties.get("LocalSecondaryIndexes") or []) if isinstance(index, dict)]
            if not all(isinstance(index, str) and index for index in indexes):
                raise ValueError("%s: every index needs a literal IndexName" % resource_id)
            names["tables"].append(dict(name=_name(resource_id, properties, "TableName", context), indexes=indexes))
            if properties.get("ImportSourceSpecification"):
                names["imports"].append(_import_source(resource_id, properties, names["tables"][-1]["name"], context))
        elif resource_type == CLOUDWATCH_ALARM:
            names["alarms"].append(_name(resource_id, properties, "AlarmName", context))
        elif resource_type == LOGS_LOG_GROUP:
            names["log_groups"].append(_name(resource_id, properties, "LogGroupName", context))
        else:
            raise ValueError("%s is a %s: these policies cover DynamoDB tables, CloudWatch alarms and log groups only"
                             % (resource_id, resource_type))
    if not names["tables"]:
        raise ValueError("the template declares no DynamoDB table")
    return names


def _by_name_or_prefix(names, prefix, arn):
    """ARNs for names: with a prefix, one pattern for the names that start with it and the others by name, so
    the pattern never leaves out a name nor stands for one that does not share the prefix."""
    covered = [name for name in names if prefix and name.startswith(prefix)]
    return ([arn(prefix + "*")] if covered else []) + [arn(name) for name in names if name not in covered]


def resource_arns(names, stack_name, region, account_id, partition="aws", scope="names", name_prefix="",
                  alarm_name_prefix="", template_bucket=""):
    """{kind: [ARN, ...]} for the statements. scope "names" lists each resource; scope "prefix" uses the guide's
    pattern (table/ai-chef-*, alarm:AI-Chef-DynamoDB-*) for stacks too large for a managed policy to list.
    template_bucket: the bucket the templates are uploaded to; empty for the collection's own bucket of the account
    and region (which the deployer may create)."""
    if scope not in ("names", "prefix"):
        raise ValueError("scope %r is not one of names, prefix" % (scope,))
    table_prefix = name_prefix if scope == "prefix" else ""
    alarm_prefix = alarm_name_prefix if scope == "prefix" else ""
    dynamodb = "arn:%s:dynamodb:%s:%s:table/" % (partition, region, account_id)
    cloudwatch = "arn:%s:cloudwatch:%s:%s:alarm:" % (partition, region, account_id)
    logs = "arn:%s:logs:%s:%s:log-group:" % (partition, region, account_id)
    tables = names["tables"]
    covered = [table for table in tables if table_prefix and table["name"].startswith(table_prefix)]
    index_arns = ([dynamodb + table_prefix + "*/index/*"] if any(table["indexes"] for table in covered) else []) + \
        [dynamodb + "%s/index/%s" % (table["name"], index)
         for table in tables if table not in covered for index in table["indexes"]]
    # A log group is named twice: with the trailing ":*" that most Logs actions are authorized against, and
    # without it for TagResource, UntagResource and ListTagsForResource (CloudWatch Logs API reference,
    # LogGroup.arn and logGroupArn). The ":*" covers this group's log streams, nothing else.
    table_arns = _by_name_or_prefix([table["name"] for table in tables], table_prefix, lambda name: dynamodb + name)
    # A stream's ARN ends with a label (its creation time) known only once it exists. A prefix pattern already
    # covers the streams of its tables.
    stream_arns = [dynamodb + table["name"] + "/stream/*" for table in tables if table not in covered]
    log_groups = []
    for name in names["log_groups"]:
        log_groups += [logs + name, logs + name + ":*"]
    bucket = "arn:%s:s3:::%s" % (partition, template_bucket or default_bucket_name(account_id, region))
    imports = names.get("imports") or []
    return {
        IMPORT_TABLES: [dynamodb + source["table"] + suffix for source in imports for suffix in ("", "/import/*")],
        IMPORT_SOURCE_BUCKETS: sorted(set("arn:%s:s3:::%s" % (partition, source["bucket"]) for source in imports)),
        IMPORT_SOURCE_OBJECTS: sorted(set("arn:%s:s3:::%s/%s*" % (partition, source["bucket"], source["prefix"])
                                          for source in imports)),
        IMPORT_LOG_GROUPS: [logs + "/aws-dynamodb/*"] if imports else [],
        OWN_TEMPLATE_BUCKET: [] if template_bucket else [bucket],
        TEMPLATE_BUCKET: [bucket],
        TEMPLATE_OBJECTS: ["%s/%s/*" % (bucket, stack_name)],
        # The stack's ARN ends with the id CloudFormation gives each new stack of that name: "/*" matches the
        # stack of this name only, whether it is the first one or a re-created one.
        STACK: ["arn:%s:cloudformation:%s:%s:stack/%s/*" % (partition, region, account_id, stack_name)],
        TABLES: table_arns,
        TABLES_AND_STREAMS: table_arns + stream_arns,
        INDEXES: index_arns,
        ALARMS: _by_name_or_prefix(names["alarms"], alarm_prefix, lambda name: cloudwatch + name),
        LOG_GROUPS: log_groups,
        ANY_RESOURCE: ["*"],
    }


def _statement(sid, actions, resources, condition=None):
    """A statement of its own data: nothing shared with another (a YAML dump would write aliases, which
    CloudFormation rejects)."""
    statement = dict(Sid=sid, Effect="Allow", Action=sorted(actions),
                     Resource=resources[0] if len(resources) == 1 else list(resources))
    if condition:
        statement["Condition"] = copy.deepcopy(condition)
    return statement


def _document(statements):
    return dict(Version=POLICY_VERSION, Statement=statements)


def deployer_policy(arns, called_via_cloudformation=True, planner=False):
    """The policy document of the CI role that deploys and verifies; planner: of the role that only previews."""
    statements = []
    for row in DEPLOYER_STATEMENTS:
        actions = row["actions"]
        if planner:
            actions = actions if row.get("planner") == "all" else row.get("planner") or ()
        elif row.get("create_actions") and arns[OWN_TEMPLATE_BUCKET]:
            actions = actions + row["create_actions"]
        resources = arns[row["resources"]]
        if not actions or not resources or not any(arns[kind] for kind in row.get("requires", (row["resources"],))):
            continue  # e.g. no log group: no statement, rather than one about resources that do not exist
        condition = row.get("condition")
        if row.get("via_cloudformation") and called_via_cloudformation:
            condition = CALLED_VIA_CLOUDFORMATION
        statements.append(_statement(row["sid"], actions, resources, condition))
    return _document(statements)


def application_policy(arns):
    """The guide's application policy: item actions on the tables, Query on their indexes."""
    statements = [_statement("ReadWriteItemsOfTheTables", APPLICATION_TABLE_ACTIONS, arns[TABLES])]
    if arns[INDEXES]:
        statements.append(_statement("QueryTheIndexes", APPLICATION_INDEX_ACTIONS, arns[INDEXES]))
    return _document(statements)


def policy_size(document):
    """Characters IAM counts against the managed policy quota (white space is not counted)."""
    return len(json.dumps(document, separators=(",", ":")))


POLICY_DESCRIPTIONS = dict(
    deployer="Deploy and verify the DynamoDB stack %(stack)s in %(region)s (CI role)",
    planner="Preview changes to the DynamoDB stack %(stack)s in %(region)s (pull-request role)",
    application="Read and write the items of the tables of stack %(stack)s in %(region)s",
)


def policy_stack_template(policies, stack_name, region, roles=None):
    """A CloudFormation template of one managed policy per document, attached to the named roles if any.

    No policy name is set: CloudFormation generates unique ones, so the template needs only CAPABILITY_IAM and
    one account can hold a stack per region. The outputs give their ARNs.
    """
    roles = roles or {}
    resources, outputs = {}, {}
    for kind in ("deployer", "planner", "application"):
        logical_id = kind.capitalize() + "Policy"
        properties = dict(Description=POLICY_DESCRIPTIONS[kind] % dict(stack=stack_name, region=region),
                          PolicyDocument=copy.deepcopy(policies[kind]))
        if roles.get(kind):
            properties["Roles"] = list(roles[kind])
        resources[logical_id] = dict(Type="AWS::IAM::ManagedPolicy", Properties=properties)
        outputs[logical_id + "Arn"] = dict(Description="ARN of the %s policy" % kind, Value={"Ref": logical_id})
    return dict(AWSTemplateFormatVersion="2010-09-09",
                Description="IAM managed policies of the DynamoDB stack %s in %s" % (stack_name, region),
                Resources=resources, Outputs=outputs)


def _policies(arns, called_via_cloudformation):
    return dict(deployer=deployer_policy(arns, called_via_cloudformation),
                planner=deployer_policy(arns, called_via_cloudformation, planner=True),
                application=application_policy(arns))


def _oversized(policies):
    return dict((kind, policy_size(document)) for kind, document in policies.items()
                if policy_size(document) > MAX_MANAGED_POLICY_SIZE)


def stack_policies(template, stack_name, region, account_id, partition="aws", scope="auto", name_prefix="",
                   alarm_name_prefix="", called_via_cloudformation=True, roles=None, template_bucket=""):
    """Every policy of the stack, its IAM stack template, the resources they name and the scope used.

    template_bucket: the existing bucket templates over 51,200 bytes are uploaded to; empty for the collection's own
    bucket of the account and region, which the deployer may then create.

    ValueError when an input is invalid, a resource cannot be named in advance, or a policy would exceed IAM's
    managed policy quota (scope "names"; or "prefix" when too many names do not share the prefix).
    """
    if alarm_name_prefix is None:  # the role's default: derived from the stack name, as the template renders it
        alarm_name_prefix = stack_settings(dict(alarm_name_prefix=None), stack_name)["alarm_name_prefix"]
    check_target(stack_name, region, account_id, partition)
    if scope not in SCOPES:
        raise ValueError("scope %r is not one of %s" % (scope, ", ".join(SCOPES)))
    bad_roles = sorted(set(roles or {}) - set(POLICY_DESCRIPTIONS))
    if bad_roles:
        raise ValueError("roles: unknown policy %s; use deployer, planner or application" % ", ".join(bad_roles))
    names = stack_resource_names(template, stack_name, region, account_id, partition)
    used = "names" if scope == "auto" else scope
    arns = resource_arns(names, stack_name, region, account_id, partition, used, name_prefix, alarm_name_prefix,
                         template_bucket)
    policies = _policies(arns, called_via_cloudformation)
    if scope == "auto" and _oversized(policies):
        used = "prefix"
        arns = resource_arns(names, stack_name, region, account_id, partition, used, name_prefix, alarm_name_prefix,
                             template_bucket)
        policies = _policies(arns, called_via_cloudformation)
    oversized = _oversized(policies)
    if oversized:
        raise ValueError("%s, and IAM allows %d characters per managed policy (scope %s): %s" % (
            ", ".join("the %s policy would be %d characters" % (kind, oversized[kind])
                      for kind in ("deployer", "planner", "application") if kind in oversized),
            MAX_MANAGED_POLICY_SIZE, used,
            "use scope prefix or auto" if used == "names" else
            "give the tables and alarms names that share the prefixes, or split the tables over several stacks"))
    return dict(policies, stack_template=policy_stack_template(policies, stack_name, region, roles), scope=used,
                resources=dict(stack=arns[STACK][0], tables=arns[TABLES], indexes=arns[INDEXES],
                               alarms=arns[ALARMS], log_groups=arns[LOG_GROUPS]))
