# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schema lint for table declarations (the role's dynamodb_stack_tables): every bad design found before AWS sees it.

Why a lint of its own: CloudFormation reports a bad table only once the stack has started to change, one problem
per rollback; argument_specs checks types but not how fields relate (an LSI needs the table's range key,
capacities follow the billing mode, one type per attribute); and AWS never checks the guide's data-modelling
rules (reserved words, camelCase). So the lint walks the whole list and returns every finding at once, each
naming the table and the dotted path of the field, so one edit fixes them all.

Pure: no AWS, no Ansible. Errors come first, then warnings, each in the order of the input (tables, then the
fields of a table in a fixed order), so the same input always gives the same list.
"""

import difflib
import re
from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.reserved_words import is_reserved_word
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import DEFAULT_NAME_PREFIX
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import derived_table_id
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import table_logical_id

ERROR = "error"
WARNING = "warning"

# The allowed keys of each kind of entry, in the order the lint checks them (and the order "did you mean" and
# "allowed keys" name them in).
TABLE_FIELDS = (
    "name", "id", "hash_key", "range_key", "billing_mode", "read_capacity", "write_capacity", "ttl_attribute",
    "point_in_time_recovery", "table_class", "stream_view_type", "deletion_protection", "alarms", "tags",
    "global_secondary_indexes", "local_secondary_indexes", "resource_policy",
)
KEY_FIELDS = ("name", "type")
GSI_FIELDS = ("name", "hash_key", "range_key", "projection", "non_key_attributes", "read_capacity", "write_capacity")
LSI_FIELDS = ("name", "range_key", "projection", "non_key_attributes")
RESOURCE_POLICY_FIELDS = ("principals", "actions")
BOOLEAN_FIELDS = ("point_in_time_recovery", "deletion_protection", "alarms")
CAPACITY_FIELDS = ("read_capacity", "write_capacity")

KEY_TYPES = ("S", "N", "B")
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
DEFAULT_BILLING_MODE = "PAY_PER_REQUEST"
DEFAULT_PROJECTION = "ALL"

# DynamoDB service quotas that CloudFormation would only report after the stack has started to change.
MAX_GLOBAL_SECONDARY_INDEXES = 20
MAX_LOCAL_SECONDARY_INDEXES = 5
MAX_PROJECTED_ATTRIBUTES = 100  # NonKeyAttributes summed over all secondary indexes of a table
MAX_ATTRIBUTE_NAME_LENGTH = 255  # key attribute names
MAX_ID_LENGTH = 200  # leaves room for the suffixes the renderer appends to logical ids (CloudFormation max 255)
MAX_LOGICAL_ID_LENGTH = 255
MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256

TABLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,255}")  # also the rule for index names
ID_PATTERN = re.compile(r"[A-Z][A-Za-z0-9]*")
CAMEL_CASE_PATTERN = re.compile(r"[a-z][a-zA-Z0-9]*")
PRINCIPAL_PATTERN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(root|role/\S+|user/\S+)")
ACTION_PATTERN = re.compile(r"dynamodb:[A-Za-z*]+")

# The guide's composite-key names (PK as HASH, SK as RANGE) are upper case on purpose; not a camelCase slip.
COMPOSITE_KEY_NAMES = frozenset(("PK", "SK"))
# The guide's TTL attribute. TTL is on DynamoDB's reserved-word list, but the guide (and the team's deployed
# sessions table) name the attribute exactly this, and TimeToLiveSpecification takes it as a plain string, so
# rejecting it would reject the team's own design. "TTL", spelled so and used as the table's ttl_attribute (or
# projected as such), is therefore accepted; any other use of the word is an error. The exemption keeps the
# guide's name, it does not make it safe: code that writes TTL in an UpdateExpression still needs an alias (#ttl).
GUIDE_TTL_ATTRIBUTE = "TTL"

# Spellings people reach for instead of S/N/B (CloudFormation's AttributeType is exactly S, N or B).
_KEY_TYPE_HINTS = {
    "s": "S", "string": "S", "str": "S",
    "n": "N", "number": "N", "num": "N", "int": "N", "integer": "N", "float": "N", "decimal": "N",
    "b": "B", "binary": "B", "bytes": "B",
}


def lint_tables(tables, name_prefix=DEFAULT_NAME_PREFIX):
    """All findings for a list of table declarations: errors first, then warnings, in input order.

    Each finding is dict(severity, table, field, message); table is the table's name, or "#<index>" when the
    entry has no usable name; field is a dotted path inside the entry ("global_secondary_indexes[1].projection").
    An empty list means the declarations can be rendered and deployed as they are.
    """
    findings = _Findings()
    if not isinstance(tables, (list, tuple)):
        findings.error("*", "tables", "The tables declaration must be a list with one mapping per table, got %s; "
                                      "write it as a YAML list of tables (- name: ..., hash_key: ...)."
                       % _describe(tables))
        return findings.ordered()
    if not tables:
        # A stack of no table would deploy only the log group: almost always a variable that did not load.
        findings.error("*", "tables", "The tables declaration is empty; declare at least one table (- name: ..., "
                                      "hash_key: ...), or deploy a template file with dynamodb_stack_template_path.")
        return findings.ordered()
    names_seen = {}
    ids_seen = {}
    logical_ids_seen = {}
    exports_seen = {}
    for index, entry in enumerate(tables):
        label = _table_label(entry, index)
        if not isinstance(entry, Mapping):
            findings.error(label, "tables[%d]" % index,
                           "Table %s, tables[%d]: the entry is %s, not a mapping; write each table as a mapping with "
                           "at least name and hash_key." % (label, index, _describe(entry)))
            continue
        table = _TableLint(findings, entry, label, name_prefix, index)
        table.run()
        table.check_unique_name(names_seen, logical_ids_seen)
        table.check_unique_id(ids_seen, exports_seen)
    return findings.ordered()


def format_findings(findings):
    """One line per finding, "<severity> <table> <field>: <message>", for Ansible output and fail messages."""
    return ["%s %s %s: %s" % (f["severity"], f["table"], f["field"], f["message"]) for f in findings]


class _Findings:
    """Collects findings; errors and warnings apart so errors can come first whatever order the checks ran in."""

    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, table, field, message):
        self.errors.append(dict(severity=ERROR, table=table, field=field, message=message))

    def warning(self, table, field, message):
        self.warnings.append(dict(severity=WARNING, table=table, field=field, message=message))

    def ordered(self):
        return self.errors + self.warnings


class _TableLint:
    """The checks of one table entry. Attribute names met on the way are collected in self.attributes as
    (name, field, role, type) and checked together at the end: types must agree across keys and indexes, the TTL
    attribute must not be a key, and names must be neither reserved words nor off the camelCase convention."""

    def __init__(self, findings, entry, label, name_prefix, index=0):
        self.findings = findings
        self.position = "tables[%d]" % index  # names the entry in messages about another entry
        self.entry = entry
        self.label = label
        self.name_prefix = name_prefix
        self.attributes = []  # (attribute name, field path, "key" | "ttl" | "projection", type or None)
        self.name = None  # the table name, once it passes the name rules
        self.billing_mode = None  # the table's billing mode, once it is valid
        self.ttl_attribute = None
        self.has_range_key = False
        self.index_names = {}  # index name -> field path of its first declaration

    # -- reporting ---------------------------------------------------------------------------------------------

    def error(self, field, text):
        self.findings.error(self.label, field, "Table %s, %s: %s" % (self.label, field, text))

    def warning(self, field, text):
        self.findings.warning(self.label, field, "Table %s, %s: %s" % (self.label, field, text))

    # -- the table ---------------------------------------------------------------------------------------------

    def run(self):
        entry = self.entry
        self.check_unknown_keys(entry, "", TABLE_FIELDS)
        self.check_name()
        self.check_id()
        self.check_billing()
        hash_key = self.check_key(entry.get("hash_key"), "hash_key", required=True)
        range_key = self.check_key(entry.get("range_key"), "range_key", required=False)
        self.has_range_key = entry.get("range_key") is not None
        self.check_key_pair(hash_key, range_key, "range_key")
        self.check_ttl_attribute()
        for field in BOOLEAN_FIELDS:
            self.check_boolean(field)
        self.check_choice(entry.get("table_class"), "table_class", TABLE_CLASSES)
        self.check_choice(entry.get("stream_view_type"), "stream_view_type", STREAM_VIEW_TYPES)
        self.check_tags()
        self.check_indexes(hash_key)
        self.check_resource_policy()
        self.check_attributes()

    def check_unknown_keys(self, mapping, prefix, allowed, hints=None):
        """Every key of the mapping that is not in allowed: almost always a typo, which would otherwise be ignored
        silently and leave the setting at its default."""
        for key in sorted(set(mapping) - set(allowed), key=str):
            field = prefix + str(key)
            if hints and key in hints:
                advice = hints[key]
            else:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                if close:
                    advice = 'did you mean "%s"? Fix the spelling or remove the key.' % close[0]
                else:
                    advice = "remove it; the allowed keys are %s." % ", ".join(allowed)
            self.error(field, 'unknown key "%s"; %s' % (key, advice))

    def check_name(self):
        name = self.entry.get("name")
        if name is None:
            self.error("name", "the required table name is missing; add the DynamoDB table name, e.g. %ssessions."
                       % (self.name_prefix or ""))
        elif not isinstance(name, str):
            self.error("name", "the table name must be a string, got %s." % _describe(name))
        elif not TABLE_NAME_PATTERN.fullmatch(name):
            self.error("name", 'the table name "%s" breaks DynamoDB\'s naming rules; use 3-255 characters, only '
                               "letters, digits, underscore, dot and hyphen." % name)
        else:
            self.name = name

    def check_id(self):
        given = self.entry.get("id")
        if given is None:
            if self.name is None:
                return
            derived = derived_table_id(self.name, self.name_prefix)
            if not ID_PATTERN.fullmatch(derived) or len(derived) > MAX_ID_LENGTH:
                self.error("id", 'no id is given and the one derived from the name, "%s", is not a valid '
                                 "CloudFormation logical id (a capital letter, then letters and digits, at most %d "
                                 "characters); set id explicitly, e.g. id: ResultsTable." % (derived, MAX_ID_LENGTH))
        elif not isinstance(given, str):
            self.error("id", "the id must be a string, got %s." % _describe(given))
        elif not ID_PATTERN.fullmatch(given) or len(given) > MAX_ID_LENGTH:
            self.error("id", 'the id "%s" is not a valid CloudFormation logical id; use PascalCase letters and digits '
                             "starting with a capital letter, at most %d characters, e.g. SessionsTable."
                       % (given, MAX_ID_LENGTH))

    def logical_id(self):
        """(id, True when derived) for the uniqueness check; None when neither a valid id nor a name is known."""
        given = self.entry.get("id")
        if given is not None:
            return (given, False) if isinstance(given, str) else None
        if self.name is None:
            return None
        return derived_table_id(self.name, self.name_prefix), True

    def check_unique_name(self, names_seen, logical_ids_seen):
        """Table names, and the CloudFormation logical ids the renderer builds from them (the whole name in
        PascalCase, so names that differ only in punctuation, ai-chef-sessions and ai_chef.sessions, collide)."""
        if self.name is None:
            return
        if self.name in names_seen:
            self.error("name", 'the table name "%s" is already declared by %s; DynamoDB table names are unique per '
                               "account and region, so rename or remove one of them."
                       % (self.name, names_seen[self.name]))
            return
        names_seen[self.name] = self.position
        logical_id = table_logical_id(dict(name=self.name))
        if not ID_PATTERN.fullmatch(logical_id) or len(logical_id) > MAX_LOGICAL_ID_LENGTH:
            self.error("name", 'the CloudFormation logical id built from the name, "%s", is not valid (a letter first, '
                               "then letters and digits, at most %d characters); start the name with a letter or "
                               "shorten it." % (logical_id, MAX_LOGICAL_ID_LENGTH))
        elif logical_id in logical_ids_seen:
            self.error("name", 'the name renders as the CloudFormation logical id "%s", like %s; names that differ '
                               "only in punctuation or case of a word's first letter collide, so rename one."
                       % (logical_id, logical_ids_seen[logical_id]))
        else:
            logical_ids_seen[logical_id] = "%s (%s)" % (self.position, self.label)

    def check_unique_id(self, ids_seen, exports_seen):
        """Ids, and the stack exports named after them (<stack>-<Id>, -<Id>Arn, -<Id>StreamArn with a stream):
        id Sessions and id SessionsArn would both export <stack>-SessionsArn."""
        logical = self.logical_id()
        if logical is None:
            return
        logical_id, derived = logical
        if logical_id not in ids_seen:
            suffixes = ("", "Arn", "StreamArn") if self.entry.get("stream_view_type") else ("", "Arn")
            for suffix in suffixes:
                export = logical_id + suffix
                if export in exports_seen:
                    self.error("id", 'the id "%s" would export ${AWS::StackName}-%s, which %s already exports; '
                                     "export names are unique per account and region, so choose another id."
                               % (logical_id, export, exports_seen[export]))
                    break
            for suffix in suffixes:
                exports_seen.setdefault(logical_id + suffix, "%s (%s)" % (self.position, self.label))
        if logical_id in ids_seen:
            other, other_derived = ids_seen[logical_id]
            self.error("id", 'the %s id "%s" is also the %s id of %s; logical ids, outputs, exports and alarm names '
                             "would collide, so set a distinct id on one of them."
                       % ("derived" if derived else "given", logical_id,
                          "derived" if other_derived else "given", other))
        else:
            ids_seen[logical_id] = ("%s (%s)" % (self.position, self.label), derived)

    def check_billing(self):
        mode = self.entry.get("billing_mode")
        if mode is None:
            mode = DEFAULT_BILLING_MODE
        elif not self.check_choice(mode, "billing_mode", BILLING_MODES):
            return
        self.billing_mode = mode
        self.check_capacities(self.entry, "")

    def check_capacities(self, mapping, prefix):
        """Capacities follow the table's billing mode: both required with PROVISIONED, neither with PAY_PER_REQUEST
        (CloudFormation rejects a throughput on an on-demand table or index)."""
        for field in CAPACITY_FIELDS:
            value = mapping.get(field)
            if self.billing_mode == "PROVISIONED":
                if value is None:
                    self.error(prefix + field, "%s is required because the table's billing_mode is PROVISIONED; set "
                                               "it to a whole number of at least 1, or use PAY_PER_REQUEST."
                               % field)
                elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    self.error(prefix + field, "%s must be a whole number of at least 1, got %s."
                               % (field, _describe(value)))
            elif value is not None:
                self.error(prefix + field, "%s is not allowed because the table's billing_mode is PAY_PER_REQUEST; "
                                           "remove it, or set billing_mode: PROVISIONED on the table." % field)

    def check_choice(self, value, field, choices):
        """True when value is absent or one of choices; otherwise an error naming the choices (and the closest)."""
        if value is None or (isinstance(value, str) and value in choices):
            return True
        if isinstance(value, str):
            close = difflib.get_close_matches(value.upper(), choices, n=1, cutoff=0.6)
            hint = ' (did you mean "%s"?)' % close[0] if close else ""
            self.error(field, '"%s" is not a valid %s%s; use one of %s.'
                       % (value, field.rsplit(".", 1)[-1], hint, ", ".join(choices)))
        else:
            self.error(field, "%s must be one of %s, got %s."
                       % (field.rsplit(".", 1)[-1], ", ".join(choices), _describe(value)))
        return False

    def check_boolean(self, field):
        value = self.entry.get(field)
        if value is not None and not isinstance(value, bool):
            self.error(field, "%s must be true or false, got %s; write it as an unquoted YAML boolean."
                       % (field, _describe(value)))

    def check_ttl_attribute(self):
        value = self.entry.get("ttl_attribute")
        if value is None:
            return
        if not isinstance(value, str) or not value:
            self.error("ttl_attribute", "ttl_attribute must be the name of a Number attribute holding the expiry "
                                        "time (epoch seconds), got %s; e.g. ttl_attribute: expiresAt."
                       % _describe(value))
            return
        self.ttl_attribute = value
        self.attributes.append((value, "ttl_attribute", "ttl", None))

    # -- keys --------------------------------------------------------------------------------------------------

    def check_key(self, value, field, required):
        """A key {name, type}; returns the attribute name when usable, so the caller can compare keys."""
        if value is None:
            if required:
                short = field.rsplit(".", 1)[-1]
                self.error(field, "the required %s is missing; add %s: {name: <attribute>, type: S}, "
                                  "e.g. {name: sessionId, type: S}." % (short, short))
            return None
        if not isinstance(value, Mapping):
            example = value if isinstance(value, str) and value else "sessionId"
            self.error(field, "a key must be a mapping with name and type, got %s; write {name: %s, type: S}."
                       % (_describe(value), example))
            return None
        self.check_unknown_keys(value, field + ".", KEY_FIELDS)
        name = value.get("name")
        key_type = value.get("type")
        usable_type = "S" if key_type is None else key_type
        if key_type is not None and key_type not in KEY_TYPES:
            usable_type = None
            hint = _KEY_TYPE_HINTS.get(key_type.lower()) if isinstance(key_type, str) else None
            self.error(field + ".type", "%s is not a DynamoDB key type; key attributes must be S (string), N (number) "
                                        "or B (binary)%s."
                       % (_quote(key_type), ' (did you mean "%s"?)' % hint if hint else ""))
        if name is None:
            self.error(field + ".name", "the key's attribute name is missing; add name: <attribute>, e.g. sessionId.")
            return None
        if not isinstance(name, str) or not name or len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
            self.error(field + ".name", "a key attribute name must be a string of 1-%d characters, got %s."
                       % (MAX_ATTRIBUTE_NAME_LENGTH, _describe(name)))
            return None
        self.attributes.append((name, field + ".name", "key", usable_type))
        return name

    def check_key_pair(self, hash_name, range_name, range_field):
        if hash_name is not None and hash_name == range_name:
            self.error(range_field + ".name", 'the range key "%s" is the same attribute as the hash key; DynamoDB '
                                              "needs two different attributes, so pick another range key or drop it."
                       % range_name)

    # -- indexes -----------------------------------------------------------------------------------------------

    def check_indexes(self, table_hash_key):
        projected = [0]  # NonKeyAttributes counted over every index of the table, against MAX_PROJECTED_ATTRIBUTES
        for field, limit, check in (
                ("global_secondary_indexes", MAX_GLOBAL_SECONDARY_INDEXES, self.check_gsi),
                ("local_secondary_indexes", MAX_LOCAL_SECONDARY_INDEXES, self.check_lsi)):
            indexes = self.entry.get(field)
            if indexes is None:
                continue
            if not isinstance(indexes, (list, tuple)):
                self.error(field, "%s must be a list of index mappings, got %s." % (field, _describe(indexes)))
                continue
            if len(indexes) > limit:
                self.error(field, "%d indexes declared; DynamoDB allows at most %d %s per table, so remove %d."
                           % (len(indexes), limit, field.replace("_", " "), len(indexes) - limit))
            if field == "local_secondary_indexes" and indexes and not self.has_range_key:
                self.error(field, "local secondary indexes need the table to have a range_key (an LSI shares the "
                                  "table's hash key and only adds another sort key); add range_key to the table or "
                                  "make these global secondary indexes.")
            for position, index in enumerate(indexes):
                prefix = "%s[%d]" % (field, position)
                if not isinstance(index, Mapping):
                    self.error(prefix, "each index must be a mapping with name and keys, got %s." % _describe(index))
                    continue
                check(index, prefix, table_hash_key)
                self.check_projection(index, prefix, projected)

    def check_index_name(self, index, prefix):
        name = index.get("name")
        field = prefix + ".name"
        if name is None:
            self.error(field, "the index name is missing; add name, e.g. <attribute>-index as in the guide.")
        elif not isinstance(name, str) or not TABLE_NAME_PATTERN.fullmatch(name):
            self.error(field, "%s is not a valid index name; use 3-255 characters, only letters, digits, underscore, "
                              "dot and hyphen, e.g. sessionId-index." % _quote(name))
        elif name in self.index_names:
            self.error(field, 'the index name "%s" is already used by %s; index names must be unique within a table '
                              "(across global and local indexes)." % (name, self.index_names[name]))
        else:
            self.index_names[name] = prefix

    def check_gsi(self, index, prefix, table_hash_key):
        self.check_unknown_keys(index, prefix + ".", GSI_FIELDS)
        self.check_index_name(index, prefix)
        hash_name = self.check_key(index.get("hash_key"), prefix + ".hash_key", required=True)
        range_name = self.check_key(index.get("range_key"), prefix + ".range_key", required=False)
        self.check_key_pair(hash_name, range_name, prefix + ".range_key")
        if self.billing_mode is not None:
            self.check_capacities(index, prefix + ".")

    def check_lsi(self, index, prefix, table_hash_key):
        self.check_unknown_keys(index, prefix + ".", LSI_FIELDS, hints={
            "hash_key": "a local secondary index always uses the table's hash key; remove hash_key (or make it a "
                        "global secondary index).",
            "read_capacity": "a local secondary index shares the table's capacity; remove read_capacity.",
            "write_capacity": "a local secondary index shares the table's capacity; remove write_capacity.",
        })
        self.check_index_name(index, prefix)
        range_name = self.check_key(index.get("range_key"), prefix + ".range_key", required=True)
        self.check_key_pair(table_hash_key, range_name, prefix + ".range_key")

    def check_projection(self, index, prefix, projected):
        projection = index.get("projection")
        if not self.check_choice(projection, prefix + ".projection", PROJECTIONS):
            return
        projection = projection or DEFAULT_PROJECTION
        field = prefix + ".non_key_attributes"
        attributes = index.get("non_key_attributes")
        if projection != "INCLUDE":
            if attributes not in (None, [], ()):
                self.error(field, "non_key_attributes is only allowed with projection INCLUDE (this index projects "
                                  "%s); remove it, or set projection: INCLUDE." % projection)
            return
        if not isinstance(attributes, (list, tuple)) or not attributes:
            self.error(field, "projection INCLUDE needs non_key_attributes, a non-empty list of the attribute names "
                              "to copy into the index; add them, or use projection ALL or KEYS_ONLY.")
            return
        seen = set()
        for position, attribute in enumerate(attributes):
            item = "%s[%d]" % (field, position)
            if not isinstance(attribute, str) or not attribute:
                self.error(item, "a projected attribute must be a non-empty attribute name, got %s."
                           % _describe(attribute))
            elif attribute in seen:
                self.error(item, 'the attribute "%s" is listed twice; list each projected attribute once.'
                           % attribute)
            else:
                seen.add(attribute)
                self.attributes.append((attribute, item, "projection", None))
        before = projected[0]
        projected[0] += len(attributes)
        if before <= MAX_PROJECTED_ATTRIBUTES < projected[0]:
            self.error(field, "the table's indexes now project %d non-key attributes in total; DynamoDB allows at "
                              "most %d across all secondary indexes of a table, so project fewer or use "
                              "projection ALL." % (projected[0], MAX_PROJECTED_ATTRIBUTES))

    # -- tags and resource policy ------------------------------------------------------------------------------

    def check_tags(self):
        tags = self.entry.get("tags")
        if tags is None:
            return
        if not isinstance(tags, Mapping):
            self.error("tags", "tags must be a mapping of tag keys to string values, got %s; e.g. "
                               "tags: {Environment: production}." % _describe(tags))
            return
        for key, value in tags.items():
            field = "tags.%s" % (key,)
            if not isinstance(key, str) or not 1 <= len(key) <= MAX_TAG_KEY_LENGTH:
                self.error(field, "a tag key must be a string of 1-%d characters, got %s."
                           % (MAX_TAG_KEY_LENGTH, _describe(key)))
                continue
            if key.lower().startswith("aws:"):
                self.error(field, 'the tag key "%s" starts with "aws:", which AWS reserves for its own tags; '
                                  "choose another key." % key)
            if not isinstance(value, str):
                self.error(field, "tag values must be strings, got %s; quote the value." % _describe(value))
            elif len(value) > MAX_TAG_VALUE_LENGTH:
                self.error(field, "the tag value has %d characters; AWS allows at most %d, so shorten it."
                           % (len(value), MAX_TAG_VALUE_LENGTH))

    def check_resource_policy(self):
        policy = self.entry.get("resource_policy")
        if policy is None:
            return
        if not isinstance(policy, Mapping):
            self.error("resource_policy", "resource_policy must be a mapping with principals and actions, got %s."
                       % _describe(policy))
            return
        self.check_unknown_keys(policy, "resource_policy.", RESOURCE_POLICY_FIELDS)
        self.check_policy_list(policy, "principals", PRINCIPAL_PATTERN,
                               "an IAM ARN of an account root, role or user, e.g. "
                               "arn:aws:iam::123456789012:role/lambda-execution-role")
        self.check_policy_list(policy, "actions", ACTION_PATTERN, "a DynamoDB action, e.g. dynamodb:GetItem")

    def check_policy_list(self, policy, key, pattern, expected):
        field = "resource_policy." + key
        values = policy.get(key)
        if not isinstance(values, (list, tuple)) or not values:
            self.error(field, "resource_policy needs %s, a non-empty list where each item is %s; got %s."
                       % (key, expected, "nothing" if values is None else _describe(values)))
            return
        for position, value in enumerate(values):
            if not isinstance(value, str) or not pattern.fullmatch(value):
                self.error("%s[%d]" % (field, position), "%s is not valid here; each item must be %s."
                           % (_quote(value), expected))

    # -- attribute names, across keys, indexes and TTL ---------------------------------------------------------

    def check_attributes(self):
        key_types = {}  # attribute -> (type, field) of its first typed key use
        key_fields = {}  # attribute -> fields where it is a key
        for name, field, role, key_type in self.attributes:
            if role != "key":
                continue
            key_fields.setdefault(name, []).append(field)
            if key_type is None:
                continue
            if name in key_types and key_types[name][0] != key_type:
                first_type, first_field = key_types[name]
                self.error(field.rsplit(".", 1)[0] + ".type",
                           'the attribute "%s" is declared as %s here but as %s in %s; CloudFormation needs one '
                           "AttributeDefinition per attribute, so give it the same type everywhere."
                           % (name, key_type, first_type, first_field.rsplit(".", 1)[0]))
            else:
                key_types.setdefault(name, (key_type, field))

        if self.ttl_attribute is not None and self.ttl_attribute in key_fields:
            self.error("ttl_attribute", 'the TTL attribute "%s" is also a key (%s); TTL needs its own Number '
                                        "attribute holding the expiry time, and a key cannot expire items safely, so "
                                        "use a separate attribute such as expiresAt."
                       % (self.ttl_attribute, ", ".join(f.rsplit(".", 1)[0] for f in key_fields[self.ttl_attribute])))

        checked = set()
        for name, field, role, _key_type in self.attributes:
            if name in checked:
                continue
            checked.add(name)
            guide_ttl = name == GUIDE_TTL_ATTRIBUTE and name == self.ttl_attribute and role != "key"
            if is_reserved_word(name) and not guide_ttl:
                self.error(field, '"%s" is a DynamoDB reserved word, so every expression would need an alias for '
                                  "it; rename it, e.g. %s." % (name, self.reserved_word_suggestion(name)))
            elif not CAMEL_CASE_PATTERN.fullmatch(name) and name not in COMPOSITE_KEY_NAMES and not guide_ttl:
                suggestion = _camel_case(name)
                self.warning(field, 'the attribute name "%s" is not camelCase (the guide names attributes like '
                                    "sessionId and createdAt)%s."
                             % (name, "; rename it, e.g. %s" % suggestion if suggestion else ""))

    def reserved_word_suggestion(self, word):
        """The guide's fix for a reserved word: prefix it with the table's noun ("status" in ai-chef-sessions ->
        "sessionStatus"), so the name says whose status it is."""
        noun = _table_noun(self.name, self.name_prefix)
        if noun.lower() == word.lower():
            return noun + "Id"
        return noun + word[:1].upper() + word[1:].lower()


def _table_noun(name, name_prefix):
    """The table name's singular as a camelCase noun ("ai-chef-sessions" -> "session", "ai-chef-user-profiles"
    -> "userProfile"); "item" when the name gives none."""
    if not name:
        return "item"
    if name_prefix and name.startswith(name_prefix):
        name = name[len(name_prefix):]
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", name) if part]
    if not parts or not parts[0][0].isalpha():
        return "item"
    parts[-1] = _singular(parts[-1])
    return parts[0].lower() + "".join(part[:1].upper() + part[1:].lower() for part in parts[1:])


def _singular(word):
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if lower.endswith(("sses", "shes", "ches", "xes", "zes", "uses")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _camel_case(name):
    """A camelCase spelling of name ("session_id" -> "sessionId", "SessionId" -> "sessionId"); None if none."""
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", name) if part]
    if not parts:
        return None
    words = []
    for part in parts:
        # split "SessionId" / "HTTPCode" into words; an all-capitals part is one word
        words.extend(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[0-9]+", part) or [part])
    result = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return result if CAMEL_CASE_PATTERN.fullmatch(result) and result != name else None


def _table_label(entry, index):
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) and name else "#%d" % index


def _quote(value):
    return '"%s"' % value if isinstance(value, str) else _describe(value)


def _describe(value):
    """How a wrong value reads in a message: its type, and the value itself when short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "the boolean %s" % ("true" if value else "false")
    if isinstance(value, str):
        return 'the string "%s"' % (value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (int, float)):
        return "the number %s" % value
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a %s" % type(value).__name__
