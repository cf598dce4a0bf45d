# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which method migrates a table: the copy (dynamodb_table_migration) or the way through S3
(dynamodb_table_s3_migration), chosen by the source's size unless the caller names one.

Why a size threshold (docs/migrate.md, "Which method"): the S3 way costs a third of the copy at any size at AWS's
published prices (export and import per GB against a write request unit per item and KB) and takes no capacity
from the live table, but its export and import each take minutes even for a small table, and it needs
point-in-time recovery and a bucket. benchmarks/migration_methods.py measures both in one run: from about 5 GB on
(4.3 to 6.3 GB over three runs), the S3 way takes at most 1.5x the copy's time (with 30 minutes assumed for the
two jobs); hence 5 GB.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError

METHODS = ("auto", "copy", "s3")
GB = 1024 ** 3
# Default threshold of "auto", in GB of the source table (DescribeTable's TableSizeBytes).
S3_FROM_GB = 5.0


def choose_method(summary, method="auto", s3_from_gb=S3_FROM_GB, s3_bucket=""):
    """{method: copy or s3, reason: one line} for the source table's summary (dynamodb_table_diagnose's
    tables[].summary: size_bytes, item_count, table_name). Raises InputError with one line."""
    if method not in METHODS:
        raise InputError(message="dynamodb_migration_method %r is not one of %s" % (method, ", ".join(METHODS)))
    try:
        threshold = float(s3_from_gb)
    except (TypeError, ValueError):
        threshold = -1.0
    if threshold < 0:
        raise InputError(message="dynamodb_migration_s3_from_gb must be a number of GB, 0 or more (got %r)" % (
            s3_from_gb,))
    size = int(summary.get("size_bytes") or 0)
    items = int(summary.get("item_count") or 0)
    gigabytes = float(size) / GB
    described = "%s holds %.2f GB (%d items; DynamoDB refreshes the figure about every six hours)" % (
        summary.get("table_name") or "the source table", gigabytes, items)
    if method != "auto":
        chosen, reason = method, "%s: dynamodb_migration_method=%s" % (described, method)
    elif gigabytes >= threshold:
        chosen, reason = "s3", "%s, at least dynamodb_migration_s3_from_gb=%g: through S3" % (described, threshold)
    else:
        chosen, reason = "copy", "%s, under dynamodb_migration_s3_from_gb=%g: the copy" % (described, threshold)
    if chosen == "s3" and not s3_bucket:
        raise InputError(message="%s; the way through S3 needs dynamodb_migration_s3_bucket (a bucket for the export "
                                 "and the transformed files), or set dynamodb_migration_method=copy" % reason)
    return dict(method=chosen, reason=reason, gigabytes=round(gigabytes, 3), item_count=items)
