# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the deployed tables can and cannot become in one CloudFormation update, and the sequence of updates that
gets them there.

DynamoDB (and so CloudFormation, which calls UpdateTable) creates or deletes at most one global secondary index
per table per update; a GSI's KeySchema and Projection cannot change under its name; a key attribute's type
change, like a key schema change, replaces the table, and so does any change of the create-only
ImportSourceSpecification. CloudFormation's change set says "Replacement: False" for a type change and two new
indexes alike, and the update then fails and rolls back, so these are decided here, from the deployed template
(GetTemplate) and the declared one, before any write.

Pure: no AWS, no Ansible. Templates are dicts (templates.parse_template).
"""

import copy

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.aws_rules import DOCS
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.aws_rules import MAX_GSI_CREATIONS_OR_DELETIONS_PER_UPDATE
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.template_tables import tables_by_logical_id

CREATE = "create"
DELETE = "delete"
IMPORT_SOURCE = "ImportSourceSpecification"


def _indexes(properties):
    return dict((index.get("IndexName"), index) for index in properties.get("GlobalSecondaryIndexes") or [])


def _index_keys(declaration):
    """{index name: (hash key, range key) with types} of a table declaration's GSIs."""
    return dict((index["name"], (index.get("hash_key"), index.get("range_key")))
                for index in declaration.get("global_secondary_indexes", []))


def _projection(index):
    projection = dict(index.get("Projection") or {})
    projection.setdefault("ProjectionType", "ALL")
    projection["NonKeyAttributes"] = sorted(projection.get("NonKeyAttributes") or [])
    return projection


def _key_text(key):
    return "%s (%s)" % (key["name"], key.get("type")) if key else "none"


def _import_source_text(spec):
    """s3://bucket/prefix FORMAT of an ImportSourceSpecification, or "none"."""
    if not spec:
        return "none"
    if not isinstance(spec, dict):
        return repr(spec)
    bucket_source = spec.get("S3BucketSource") if isinstance(spec.get("S3BucketSource"), dict) else {}
    return "s3://%s/%s %s" % (bucket_source.get("S3Bucket", "?"), bucket_source.get("S3KeyPrefix", ""),
                              spec.get("InputFormat", "?"))


def _import_source_change(old, new):
    """Why the table would be replaced by a change of its ImportSourceSpecification, or None. The property is
    create-only: CloudFormation replaces the table when it is added, removed or changed in any way, and compares
    the templates as written (the deployed table does not report it), so the comparison is literal."""
    if old == new:
        return None
    if not old:
        what = "is added (%s)" % _import_source_text(new)
    elif not new:
        what = "is removed (it was %s)" % _import_source_text(old)
    else:
        before, after = _import_source_text(old), _import_source_text(new)
        what = "changes (%s)" % ("%s -> %s" % (before, after) if before != after else
                                 "%s, in its compression, CSV options or bucket owner" % after)
    return ("its %s (import_source) %s, and CloudFormation creates a table from an import only when it creates the "
            "table; keep the import_source the table was created with for as long as the table lives (%s)"
            % (IMPORT_SOURCE, what, DOCS["import_source"]))


def _consented(names, table_name, logical_id, index_name):
    return bool(set(names or []) & set([index_name, "%s:%s" % (table_name, index_name),
                                        "%s:%s" % (logical_id, index_name)]))


class TableIndexChange:
    """One table present in both templates: its GSI operations in order (deletions first, so that an index
    re-created under the same name is first dropped), and what cannot be done in place."""

    def __init__(self, logical_id, deployed, declared, allow_index_recreation):
        self.logical_id = logical_id
        (self.old, self.old_properties), (self.new, self.new_properties) = deployed, declared
        self.name = self.new_properties.get("TableName") or logical_id
        self.refusals = []
        self.replacement = None  # why the table itself would be replaced
        old_indexes, new_indexes = _indexes(self.old_properties), _indexes(self.new_properties)
        old_keys, new_keys = _index_keys(self.old), _index_keys(self.new)
        recreated = []
        for index_name in [name for name in new_indexes if name in old_indexes]:
            changed = [what for what, differs in (
                ("key schema", old_keys.get(index_name) != new_keys.get(index_name)),
                ("projection", _projection(old_indexes[index_name]) != _projection(new_indexes[index_name])))
                if differs]
            if not changed:
                continue
            if _consented(allow_index_recreation, self.name, logical_id, index_name):
                recreated.append(index_name)
                continue
            self.refusals.append(
                "table %s: the %s of global secondary index %s changes (%s), and DynamoDB cannot change an index in "
                "place; declare the new index under a new name (and drop the old one in a later deploy), or consent "
                "to drop and re-create it in two steps (the index is unavailable until its backfill ends) with "
                "dynamodb_stack_allow_index_recreation: [%s:%s] (%s)"
                % (self.name, " and ".join(changed), index_name, self._index_change_text(index_name, old_indexes,
                                                                                         new_indexes),
                   self.name, index_name, DOCS["gsi_updates"]))
        self.operations = ([(DELETE, name) for name in old_indexes if name not in new_indexes or name in recreated] +
                           [(CREATE, name) for name in new_indexes if name not in old_indexes or name in recreated])
        old_table_keys = (self.old.get("hash_key"), self.old.get("range_key"))
        new_table_keys = (self.new.get("hash_key"), self.new.get("range_key"))
        causes = []
        import_change = _import_source_change(self.old_properties.get(IMPORT_SOURCE),
                                              self.new_properties.get(IMPORT_SOURCE))
        if import_change:
            causes.append(import_change)
        if old_table_keys != new_table_keys:
            causes.append("its KeySchema or a key attribute type changes, from %s to %s" % (
                " + ".join(_key_text(key) for key in old_table_keys if key),
                " + ".join(_key_text(key) for key in new_table_keys if key)))
        self.replacement = "; and ".join(causes) or None

    def _index_change_text(self, index_name, old_indexes, new_indexes):
        old_keys, new_keys = _index_keys(self.old)[index_name], _index_keys(self.new)[index_name]
        if old_keys != new_keys:
            return "key %s -> %s" % (" + ".join(_key_text(key) for key in old_keys if key),
                                     " + ".join(_key_text(key) for key in new_keys if key))
        return "projection %s -> %s" % (_projection(old_indexes[index_name])["ProjectionType"],
                                        _projection(new_indexes[index_name])["ProjectionType"])

    def indexes_after(self, count):
        """The table's GlobalSecondaryIndexes after its first count operations."""
        indexes = [copy.deepcopy(index) for index in self.old_properties.get("GlobalSecondaryIndexes") or []]
        new_indexes = _indexes(self.new_properties)
        for operation, index_name in self.operations[:count]:
            if operation == DELETE:
                indexes = [index for index in indexes if index.get("IndexName") != index_name]
            else:
                indexes.append(self.index_for_deployed_billing(new_indexes[index_name]))
        return indexes

    def index_for_deployed_billing(self, index):
        """A new index as the intermediate table can take it: the table keeps its deployed billing mode until the
        last step, so the index gets the table's throughput (provisioned) or none (on demand)."""
        index = copy.deepcopy(index)
        if self.old_properties.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST":
            index.pop("ProvisionedThroughput", None)
        elif "ProvisionedThroughput" not in index and self.old_properties.get("ProvisionedThroughput"):
            index["ProvisionedThroughput"] = copy.deepcopy(self.old_properties["ProvisionedThroughput"])
        return index


def _used_attributes(properties):
    names = [element.get("AttributeName") for element in properties.get("KeySchema") or []]
    for section in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for index in properties.get(section) or []:
            names += [element.get("AttributeName") for element in index.get("KeySchema") or []]
    return names


def _definitions(old_properties, new_properties, properties):
    """AttributeDefinitions naming exactly the key attributes of the intermediate table (DynamoDB refuses others)."""
    known = {}
    for source in (new_properties, old_properties):
        for item in source.get("AttributeDefinitions") or []:
            known.setdefault(item.get("AttributeName"), item)
    return [copy.deepcopy(known[name]) for name in dict.fromkeys(_used_attributes(properties)) if name in known]


class IndexPlan:
    """The update from the deployed template to the declared one: refusals, table replacements, and the steps."""

    def __init__(self, deployed_template, declared_template, allow_index_recreation=None):
        self.deployed_template = deployed_template
        deployed = tables_by_logical_id(deployed_template)
        declared = tables_by_logical_id(declared_template)
        self.tables = [TableIndexChange(logical_id, deployed[logical_id], declared[logical_id],
                                        allow_index_recreation)
                       for logical_id in declared if logical_id in deployed]
        self.refusals = [refusal for table in self.tables for refusal in table.refusals]
        self.replacements = [(table.logical_id, table.name, table.replacement) for table in self.tables
                             if table.replacement]
        self.step_count = max([len(table.operations) for table in self.tables] + [1])

    def step_template(self, step):
        """The template of intermediate step (1 .. step_count - 1): the deployed template with, per table, its first
        step index operations applied (never its last one: that goes with the declared template, the final step)."""
        template = copy.deepcopy(self.deployed_template)
        for table in self.tables:
            applied = max(0, min(step, len(table.operations) - 1))
            if not applied:
                continue
            properties = template["Resources"][table.logical_id]["Properties"]
            indexes = table.indexes_after(applied)
            if indexes:
                properties["GlobalSecondaryIndexes"] = indexes
            else:
                properties.pop("GlobalSecondaryIndexes", None)
            properties["AttributeDefinitions"] = _definitions(table.old_properties, table.new_properties, properties)
        return template

    def step_operations(self, step):
        """(table name, operation, index name) done by step (1 .. step_count)."""
        done = []
        for table in self.tables:
            before = max(0, min(step - 1, len(table.operations) - 1))
            after = len(table.operations) if step == self.step_count else max(0, min(step, len(table.operations) - 1))
            done += [(table.name, operation, index_name) for operation, index_name in table.operations[before:after]]
        return done

    def step_descriptions(self):
        lines = []
        for step in range(1, self.step_count + 1):
            operations = self.step_operations(step)
            what = ", ".join("%s index %s on %s" % (operation, index_name, table_name)
                             for table_name, operation, index_name in operations) or "no index change"
            rest = "; and every other change of the declaration" if step == self.step_count else ""
            lines.append("step %d/%d: %s%s" % (step, self.step_count, what, rest))
        return lines

    def needs_steps(self):
        return self.step_count > MAX_GSI_CREATIONS_OR_DELETIONS_PER_UPDATE
