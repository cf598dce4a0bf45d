# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's checks of what names a table: its DynamoDB name, its id, and what the renderer builds from them
(the CloudFormation logical id, the stack's export names), each valid and unique across the declared tables.

Together because they are one chain: the id is derived from the name when not given, the logical id is built from
the name, the exports from the id; a name that breaks the rules stops the checks of what would be derived from it.
"""

import re

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import derived_table_id
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.table_spec import table_logical_id

MAX_ID_LENGTH = 200  # leaves room for the suffixes the renderer appends to logical ids (CloudFormation max 255)
MAX_LOGICAL_ID_LENGTH = 255

TABLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,255}")  # also the rule for index names
ID_PATTERN = re.compile(r"[A-Z][A-Za-z0-9]*")


def check_name(table):
    name = table.entry.get("name")
    if name is None:
        table.error("name", "the required table name is missing; add the DynamoDB table name, e.g. %ssessions."
                    % (table.name_prefix or ""))
    elif not isinstance(name, str):
        table.error("name", "the table name must be a string, got %s." % describe(name))
    elif not TABLE_NAME_PATTERN.fullmatch(name):
        table.error("name", 'the table name "%s" breaks DynamoDB\'s naming rules; use 3-255 characters, only '
                            "letters, digits, underscore, dot and hyphen." % name)
    else:
        table.name = name


def check_id(table):
    given = table.entry.get("id")
    if given is None:
        if table.name is None:
            return
        derived = derived_table_id(table.name, table.name_prefix)
        if not ID_PATTERN.fullmatch(derived) or len(derived) > MAX_ID_LENGTH:
            table.error("id", 'no id is given and the one derived from the name, "%s", is not a valid '
                              "CloudFormation logical id (a capital letter, then letters and digits, at most %d "
                              "characters); set id explicitly, e.g. id: ResultsTable." % (derived, MAX_ID_LENGTH))
    elif not isinstance(given, str):
        table.error("id", "the id must be a string, got %s." % describe(given))
    elif not ID_PATTERN.fullmatch(given) or len(given) > MAX_ID_LENGTH:
        table.error("id", 'the id "%s" is not a valid CloudFormation logical id; use PascalCase letters and digits '
                          "starting with a capital letter, at most %d characters, e.g. SessionsTable."
                    % (given, MAX_ID_LENGTH))


def _logical_id(table):
    """(id, True when derived) for the uniqueness check; None when neither a valid id nor a name is known."""
    given = table.entry.get("id")
    if given is not None:
        return (given, False) if isinstance(given, str) else None
    if table.name is None:
        return None
    return derived_table_id(table.name, table.name_prefix), True


def check_unique_name(table, names_seen, logical_ids_seen):
    """Table names, and the CloudFormation logical ids the renderer builds from them (the whole name in
    PascalCase, so names that differ only in punctuation, ai-chef-sessions and ai_chef.sessions, collide)."""
    if table.name is None:
        return
    if table.name in names_seen:
        table.error("name", 'the table name "%s" is already declared by %s; DynamoDB table names are unique per '
                            "account and region, so rename or remove one of them."
                    % (table.name, names_seen[table.name]))
        return
    names_seen[table.name] = table.position
    logical_id = table_logical_id(dict(name=table.name))
    if not ID_PATTERN.fullmatch(logical_id) or len(logical_id) > MAX_LOGICAL_ID_LENGTH:
        table.error("name", 'the CloudFormation logical id built from the name, "%s", is not valid (a letter first, '
                            "then letters and digits, at most %d characters); start the name with a letter or "
                            "shorten it." % (logical_id, MAX_LOGICAL_ID_LENGTH))
    elif logical_id in logical_ids_seen:
        table.error("name", 'the name renders as the CloudFormation logical id "%s", like %s; names that differ '
                            "only in punctuation or case of a word's first letter collide, so rename one."
                    % (logical_id, logical_ids_seen[logical_id]))
    else:
        logical_ids_seen[logical_id] = "%s (%s)" % (table.position, table.label)


def check_unique_id(table, ids_seen, exports_seen):
    """Ids, and the stack exports named after them (<stack>-<Id>, -<Id>Arn, -<Id>StreamArn with a stream):
    id Sessions and id SessionsArn would both export <stack>-SessionsArn."""
    logical = _logical_id(table)
    if logical is None:
        return
    logical_id, derived = logical
    if logical_id not in ids_seen:
        suffixes = ("", "Arn", "StreamArn") if table.entry.get("stream_view_type") else ("", "Arn")
        for suffix in suffixes:
            export = logical_id + suffix
            if export in exports_seen:
                table.error("id", 'the id "%s" would export ${AWS::StackName}-%s, which %s already exports; '
                                  "export names are unique per account and region, so choose another id."
                            % (logical_id, export, exports_seen[export]))
                break
        for suffix in suffixes:
            exports_seen.setdefault(logical_id + suffix, "%s (%s)" % (table.position, table.label))
    if logical_id in ids_seen:
        other, other_derived = ids_seen[logical_id]
        table.error("id", 'the %s id "%s" is also the %s id of %s; logical ids, outputs, exports and alarm names '
                          "would collide, so set a distinct id on one of them."
                    % ("derived" if derived else "given", logical_id,
                       "derived" if other_derived else "given", other))
    else:
        ids_seen[logical_id] = ("%s (%s)" % (table.position, table.label), derived)
