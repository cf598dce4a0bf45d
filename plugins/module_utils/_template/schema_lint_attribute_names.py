# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's checks of attribute names against the guide's data-modelling rules, which AWS never checks:
no DynamoDB reserved word (an error, with a renamed suggestion) and camelCase (a warning, with the camelCase spelling).

Run once over every attribute name the other checks met (keys, the TTL attribute, projected attributes), so each
name is reported once, at its first use; the suggestions are built from the table's name, hence the noun helpers.
"""

import re

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.reserved_words import is_reserved_word

CAMEL_CASE_PATTERN = re.compile(r"[a-z][a-zA-Z0-9]*")

# The guide's composite-key names (PK as HASH, SK as RANGE) are upper case on purpose; not a camelCase slip.
COMPOSITE_KEY_NAMES = frozenset(("PK", "SK"))
# The guide's TTL attribute. TTL is on DynamoDB's reserved-word list, but the guide (and the team's deployed
# sessions table) name the attribute exactly this, and TimeToLiveSpecification takes it as a plain string, so
# rejecting it would reject the team's own design. "TTL", spelled so and used as the table's ttl_attribute (or
# projected as such), is therefore accepted; any other use of the word is an error. The exemption keeps the
# guide's name, it does not make it safe: code that writes TTL in an UpdateExpression still needs an alias (#ttl).
GUIDE_TTL_ATTRIBUTE = "TTL"


def check_attribute_names(table):
    checked = set()
    for name, field, role, _key_type in table.attributes:
        if name in checked:
            continue
        checked.add(name)
        guide_ttl = name == GUIDE_TTL_ATTRIBUTE and name == table.ttl_attribute and role != "key"
        if is_reserved_word(name) and not guide_ttl:
            table.error(field, '"%s" is a DynamoDB reserved word, so every expression would need an alias for '
                               "it; rename it, e.g. %s." % (name, _reserved_word_suggestion(table, name)))
        elif not CAMEL_CASE_PATTERN.fullmatch(name) and name not in COMPOSITE_KEY_NAMES and not guide_ttl:
            suggestion = _camel_case(name)
            table.warning(field, 'the attribute name "%s" is not camelCase (the guide names attributes like '
                                 "sessionId and createdAt)%s."
                          % (name, "; rename it, e.g. %s" % suggestion if suggestion else ""))


def _reserved_word_suggestion(table, word):
    """The guide's fix for a reserved word: prefix it with the table's noun ("status" in ai-chef-sessions ->
    "sessionStatus"), so the name says whose status it is."""
    noun = _table_noun(table.name, table.name_prefix)
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
