# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names derived from a table declaration (dynamodb_stack_tables entries).

The team's template names everything after a short table id: table ai-chef-sessions has the logical id
AiChefSessionsTable, the alarm SessionsTableErrorAlarm, the outputs SessionsTableName / SessionsTableArn
exported as <stack>-SessionsTable / <stack>-SessionsTableArn. These rules reproduce that and extend it to any
table ("ai-chef-new-table" -> NewTable, as the guide's "Adding a table" section names it).
"""

import re

DEFAULT_NAME_PREFIX = "ai-chef-"
_WORD_SEPARATOR = re.compile(r"[^A-Za-z0-9]+")


def pascal_case(text):
    return "".join(part[:1].upper() + part[1:] for part in _WORD_SEPARATOR.split(text) if part)


def with_table_suffix(identifier):
    return identifier if identifier.endswith("Table") else identifier + "Table"


def derived_table_id(name, name_prefix=DEFAULT_NAME_PREFIX):
    """"ai-chef-sessions" -> "SessionsTable"; "ai-chef-new-table" -> "NewTable"."""
    short = name[len(name_prefix):] if name_prefix and name.startswith(name_prefix) else name
    return with_table_suffix(pascal_case(short))


def table_id(table, name_prefix=DEFAULT_NAME_PREFIX):
    return table.get("id") or derived_table_id(table["name"], name_prefix)


def table_logical_id(table):
    """The CloudFormation logical id: the whole table name in PascalCase ("AiChefSessionsTable").

    It follows the name, not the id: renaming a table is a replacement either way, and keeping the team's
    logical ids means their existing stack updates in place.
    """
    return with_table_suffix(pascal_case(table["name"]))
