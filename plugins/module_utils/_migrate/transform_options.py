# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of a migration's transform option, for every module that migrates items.

One spec, so that the copy (dynamodb_table_migration) and the migration through S3 accept the same transform;
its documentation is the doc fragment aichef.dynamodb.migration_transform, its reading preflight.compile_transform.
"""

TRANSFORM_ARGUMENT_SPEC = dict(
    transform=dict(type="dict", options=dict(
        filter=dict(type="list", elements="dict", options=dict(
            attribute=dict(type="str", required=True),
            equals=dict(type="raw"),
            exists=dict(type="bool"),
        ), mutually_exclusive=[["equals", "exists"]], required_one_of=[["equals", "exists"]]),
        rename=dict(type="dict"),
        derive=dict(type="dict"),
        drop=dict(type="list", elements="str"),
        defaults=dict(type="dict"),
    )),
)
