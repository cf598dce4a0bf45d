# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a template's DynamoDB tables back into the declaration form (dynamodb_stack_tables entries), so that a
user's template file goes through the same schema lint as a rendered one, and so that the plan can compare the
deployed tables with the declared ones (index_changes.py).

Only literal values are read: a table whose keys or indexes are computed by an intrinsic function (!Ref, !Sub,
!If...) is known only once CloudFormation resolves it, and is skipped. Pure: no AWS, no Ansible.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE


def _key(schema, definitions, kind):
    for element in schema or []:
        if isinstance(element, dict) and element.get("KeyType") == kind:
            name = element.get("AttributeName")
            return dict(name=name, type=definitions.get(name))
    return None


def _literal_tree(value):
    """True when no intrinsic function (a one-key mapping "Ref" or "Fn::...") is anywhere in value."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or str(next(iter(value))).startswith("Fn::")):
            return False
        return all(_literal_tree(item) for item in value.values())
    if isinstance(value, list):
        return all(_literal_tree(item) for item in value)
    return True


def _projection(index, entry):
    projection = index.get("Projection") or {}
    entry["projection"] = projection.get("ProjectionType", "ALL")
    if projection.get("NonKeyAttributes"):
        entry["non_key_attributes"] = list(projection["NonKeyAttributes"])
    return entry


def _capacity(properties, entry):
    throughput = properties.get("ProvisionedThroughput")
    if isinstance(throughput, dict):
        entry["read_capacity"] = throughput.get("ReadCapacityUnits")
        entry["write_capacity"] = throughput.get("WriteCapacityUnits")
    return entry


def _resource_policy(resource_policy):
    """resource_policy (principals, actions) of a policy in the form the renderer writes (one Allow of AWS
    principals on "*"); None for any other policy, which the declaration form cannot express."""
    statements = ((resource_policy or {}).get("PolicyDocument") or {}).get("Statement") \
        if isinstance(resource_policy, dict) else None
    if not (isinstance(statements, list) and len(statements) == 1 and isinstance(statements[0], dict)):
        return None
    statement = statements[0]
    principals = (statement.get("Principal") or {}).get("AWS") if isinstance(statement.get("Principal"), dict) else None
    actions = statement.get("Action")
    if set(statement) != set(("Effect", "Principal", "Action", "Resource")) or statement["Effect"] != "Allow" \
            or statement["Resource"] != "*" or not isinstance(principals, list) or not isinstance(actions, list):
        return None
    return dict(principals=list(principals), actions=list(actions))


def _import_source(spec):
    """import_source of an ImportSourceSpecification, keys as the declaration names them; anything but a mapping
    is kept as it is, for the lint to name."""
    if not isinstance(spec, dict):
        return spec
    source = {}
    bucket_source = spec.get("S3BucketSource")
    if isinstance(bucket_source, dict):
        for key, name in (("S3Bucket", "s3_bucket"), ("S3KeyPrefix", "s3_key_prefix"),
                          ("S3BucketOwner", "s3_bucket_owner")):
            if key in bucket_source:
                source[name] = bucket_source[key]
    for key, name in (("InputFormat", "input_format"), ("InputCompressionType", "input_compression_type")):
        if key in spec:
            source[name] = spec[key]
    options = spec.get("InputFormatOptions")
    csv = options.get("Csv") if isinstance(options, dict) else None
    if isinstance(csv, dict):
        source["input_format_options"] = dict((name, csv[key]) for key, name in (
            ("Delimiter", "delimiter"), ("HeaderList", "header_list")) if key in csv)
    elif options is not None:
        source["input_format_options"] = options
    return source


def table_declaration(properties):
    """A table's Properties as a declaration entry; key types come from AttributeDefinitions (None when missing)."""
    definitions = dict((item.get("AttributeName"), item.get("AttributeType"))
                       for item in properties.get("AttributeDefinitions") or [] if isinstance(item, dict))
    entry = dict(name=properties.get("TableName"), hash_key=_key(properties.get("KeySchema"), definitions, "HASH"))
    range_key = _key(properties.get("KeySchema"), definitions, "RANGE")
    if range_key:
        entry["range_key"] = range_key
    entry["billing_mode"] = properties.get("BillingMode", "PROVISIONED")
    _capacity(properties, entry)
    gsis = []
    for index in properties.get("GlobalSecondaryIndexes") or []:
        gsi = dict(name=index.get("IndexName"), hash_key=_key(index.get("KeySchema"), definitions, "HASH"))
        index_range = _key(index.get("KeySchema"), definitions, "RANGE")
        if index_range:
            gsi["range_key"] = index_range
        gsis.append(_capacity(index, _projection(index, gsi)))
    if gsis:
        entry["global_secondary_indexes"] = gsis
    lsis = [_projection(index, dict(name=index.get("IndexName"),
                                    range_key=_key(index.get("KeySchema"), definitions, "RANGE")))
            for index in properties.get("LocalSecondaryIndexes") or []]
    if lsis:
        entry["local_secondary_indexes"] = lsis
    ttl = properties.get("TimeToLiveSpecification") or {}
    if ttl.get("Enabled") in (True, "true", "True"):
        entry["ttl_attribute"] = ttl.get("AttributeName")
    # Both off unless the template turns them on (AWS's defaults; the declaration's defaults are on).
    entry["point_in_time_recovery"] = (properties.get("PointInTimeRecoverySpecification") or {}).get(
        "PointInTimeRecoveryEnabled") in (True, "true", "True")
    entry["deletion_protection"] = properties.get("DeletionProtectionEnabled") in (True, "true", "True")
    if "TableClass" in properties:
        entry["table_class"] = properties["TableClass"]
    if (properties.get("StreamSpecification") or {}).get("StreamViewType"):
        entry["stream_view_type"] = properties["StreamSpecification"]["StreamViewType"]
    if properties.get("ImportSourceSpecification") is not None:
        entry["import_source"] = _import_source(properties["ImportSourceSpecification"])
    policy = _resource_policy(properties.get("ResourcePolicy"))
    if policy:
        entry["resource_policy"] = policy
    if properties.get("Tags"):
        entry["tags"] = dict((tag.get("Key"), tag.get("Value")) for tag in properties["Tags"] if isinstance(tag, dict))
    return entry, definitions


def definition_findings(logical_id, properties, entry, definitions):
    """AttributeDefinitions must name exactly the key attributes of the table and its indexes (DynamoDB refuses
    a missing or an extra definition); the declaration form derives them, a template spells them out. Likewise an
    ImportSourceSpecification's InputFormat, which the declaration form defaults and a template must spell out."""
    where = "Resources.%s" % logical_id
    keys = [entry.get("hash_key"), entry.get("range_key")]
    for index in entry.get("global_secondary_indexes", []):
        keys += [index.get("hash_key"), index.get("range_key")]
    for index in entry.get("local_secondary_indexes", []):
        keys.append(index.get("range_key"))
    used = [key["name"] for key in keys if key]
    findings = []
    for name in dict.fromkeys(used):
        if name not in definitions:
            findings.append("%s.AttributeDefinitions: the key attribute %r (of the table or an index) has no definition; "
                            "add {AttributeName: %s, AttributeType: S|N|B}" % (where, name, name))
    for name in definitions:
        if name not in used:
            findings.append("%s.AttributeDefinitions: %r is defined but is no key of the table or an index, which "
                            "DynamoDB refuses; remove it (only key attributes are declared)" % (where, name))
    if entry["hash_key"] is None:
        findings.append("%s.KeySchema: no HASH key; add {AttributeName: <name>, KeyType: HASH}" % where)
    spec = properties.get("ImportSourceSpecification")
    if isinstance(spec, dict) and "InputFormat" not in spec:
        # The declaration form defaults it; CloudFormation requires it in a template.
        findings.append("%s.ImportSourceSpecification: no InputFormat, which CloudFormation requires; add "
                        "InputFormat: DYNAMODB_JSON, ION or CSV" % where)
    return findings


def template_table_declarations(template):
    """(declarations, findings, skipped logical ids) of the template's DynamoDB tables with literal properties."""
    declarations, findings, skipped = [], [], []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") != DYNAMODB_TABLE:
            continue
        properties = resource.get("Properties") or {}
        if not _literal_tree(properties) or not isinstance(properties.get("TableName"), str):
            skipped.append(logical_id)
            continue
        entry, definitions = table_declaration(properties)
        problems = definition_findings(logical_id, properties, entry, definitions)
        findings += problems
        if not problems:
            declarations.append(entry)
    return declarations, findings, skipped


def tables_by_logical_id(template):
    """{logical id: (declaration, properties)} of the template's tables with literal properties."""
    tables = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if isinstance(resource, dict) and resource.get("Type") == DYNAMODB_TABLE:
            properties = resource.get("Properties") or {}
            if _literal_tree(properties):
                tables[logical_id] = (table_declaration(properties)[0], properties)
    return tables
