# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: dynamodb_migration_method
short_description: Choose how to migrate a DynamoDB table, the copy or through S3, by its size
version_added: 0.2.0
description:
  - Returns which method migrates the table, C(copy) (M(aichef.dynamodb.dynamodb_table_migration), a parallel copy
    from one machine) or C(s3) (M(aichef.dynamodb.dynamodb_table_s3_migration), an export to S3, a transform and
    an import by the new table's stack).
  - With O(method=auto), C(s3) from O(s3_from_gb) GB of the source table on, else C(copy). docs/migrate.md says
    why the default threshold is where it is.
  - Pure and local; it calls no AWS API. Fails with one line on a bad O(method) or O(s3_from_gb), or when the
    choice is C(s3) and O(s3_bucket) is empty.
positional: _input
options:
  _input:
    description:
      - The source table's summary, as M(aichef.dynamodb.dynamodb_table_diagnose) returns it in
        C(tables[].summary) (C(table_name), C(size_bytes), C(item_count)).
    type: dict
    required: true
  method:
    description: C(auto) (by size), C(copy) or C(s3).
    type: str
    default: auto
    choices: [auto, copy, s3]
  s3_from_gb:
    description: With O(method=auto), the source's size in GB from which the way through S3 is chosen.
    type: float
    default: 5.0
  s3_bucket:
    description: The bucket of the way through S3; required when it is chosen.
    type: str
    default: ""
author:
  - AI Chef platform team (@aichef)
"""

EXAMPLES = r"""
- name: Choose the method of the migration of the table read before
  ansible.builtin.set_fact:
    migration_choice: >-
      {{ source.tables[0].summary | aichef.dynamodb.dynamodb_migration_method(method='auto', s3_from_gb=5,
         s3_bucket='ai-chef-migrations') }}
"""

RETURN = r"""
_value:
  description: The method chosen and why.
  type: dict
  contains:
    method:
      description: C(copy) or C(s3).
      type: str
      sample: s3
    reason:
      description: One line naming the table's size and what decided.
      type: str
      sample: "ai-chef-sessions holds 812.40 GB (2000000000 items; ...), at least dynamodb_migration_s3_from_gb=5: through S3"
    gigabytes:
      description: The source table's size in GB.
      type: float
      sample: 812.4
    item_count:
      description: The source table's item count.
      type: int
      sample: 2000000000
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.method_choice import S3_FROM_GB
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.method_choice import choose_method


def dynamodb_migration_method(summary, method="auto", s3_from_gb=S3_FROM_GB, s3_bucket=""):
    if not isinstance(summary, dict):
        raise AnsibleFilterError("dynamodb_migration_method: expected the source table's summary (a mapping), got %s"
                                 % type(summary).__name__)
    try:
        return choose_method(dict(summary), str(method), s3_from_gb, str(s3_bucket or ""))
    except InputError as e:
        raise AnsibleFilterError(e.message)


class FilterModule:
    def filters(self):
        return dict(dynamodb_migration_method=dynamodb_migration_method)
