# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema lint's check of a table's import source (import_source, rendered as ImportSourceSpecification): the
S3 bucket, key prefix and owner the data comes from, its format and compression, and the CSV options.

Checked before AWS because a bad import source fails only once CloudFormation creates the table, after the import
has started (and is billed by the bytes it read), or never fails at all: a CSV header list without the table's key
columns, or a prefix written as an s3:// URL, imports no item. The values themselves are AWS's rules (aws_rules.py).
"""

from collections.abc import Mapping

from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import describe
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_findings import quote
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_choice
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint_table import check_unknown_keys

# The allowed keys of import_source and of its input_format_options, in the order "did you mean" names them in.
IMPORT_SOURCE_FIELDS = ("s3_bucket", "s3_key_prefix", "s3_bucket_owner", "input_format", "input_compression_type",
                        "input_format_options")
CSV_OPTION_FIELDS = ("delimiter", "header_list")
DEFAULT_INPUT_FORMAT = "DYNAMODB_JSON"  # the format of DynamoDB's own export to S3


def check_import_source(table):
    source = table.entry.get("import_source")
    if source is None:
        return
    if not isinstance(source, Mapping):
        table.error("import_source", "import_source must be a mapping with at least s3_bucket, e.g. {s3_bucket: "
                                     "my-exports, s3_key_prefix: exports/orders/, input_format: DYNAMODB_JSON}, "
                                     "got %s." % describe(source))
        return
    check_unknown_keys(table, source, "import_source.", IMPORT_SOURCE_FIELDS)
    _check_bucket(table, source.get("s3_bucket"))
    _check_key_prefix(table, source.get("s3_key_prefix"))
    _check_bucket_owner(table, source.get("s3_bucket_owner"))
    input_format = source.get("input_format")
    valid_format = check_choice(table, input_format, "import_source.input_format", aws_rules.IMPORT_INPUT_FORMATS)
    check_choice(table, source.get("input_compression_type"), "import_source.input_compression_type",
                 aws_rules.IMPORT_COMPRESSION_TYPES)
    options = source.get("input_format_options")
    if options is not None and valid_format and (input_format or DEFAULT_INPUT_FORMAT) != "CSV":
        table.error("import_source.input_format_options",
                    "input_format_options (delimiter, header_list) applies to CSV data only, and input_format is "
                    "%s; remove input_format_options or set input_format: CSV." % (input_format or DEFAULT_INPUT_FORMAT))
    elif options is not None and input_format == "CSV":
        _check_csv_options(table, options)
    if table.entry.get("local_secondary_indexes"):
        # ImportTable's TableCreationParameters have no LocalSecondaryIndexes, and a local index exists only if
        # the table is created with it.
        table.error("import_source", "a table created by an import cannot have local_secondary_indexes: DynamoDB's "
                                     "ImportTable creates the table with global secondary indexes only, and a local "
                                     "index can never be added later; declare them as global_secondary_indexes or "
                                     "drop import_source (%s)." % aws_rules.DOCS["import_table"])


def _check_bucket(table, bucket):
    field = "import_source.s3_bucket"
    if bucket is None:
        table.error(field, "import_source needs s3_bucket, the name of the S3 bucket that holds the data to import "
                           "(e.g. s3_bucket: my-exports).")
    elif not isinstance(bucket, str):
        table.error(field, "s3_bucket must be a bucket name, got %s." % describe(bucket))
    elif bucket.startswith("s3://") or "/" in bucket:
        table.error(field, '"%s" is not a bucket name; write the bucket alone (e.g. my-exports) and the path in '
                           "s3_key_prefix (e.g. exports/orders/)." % bucket)
    elif not aws_rules.S3_BUCKET_NAME_PATTERN.match(bucket):
        table.error(field, '"%s" is not an S3 bucket name; a bucket name is 3-63 lowercase letters, digits, dots and '
                           "hyphens, begins and ends with a letter or digit, has no two dots in a row and is not an "
                           "IP address (%s)." % (bucket, aws_rules.DOCS["bucket_name"]))


def _check_key_prefix(table, prefix):
    field = "import_source.s3_key_prefix"
    if prefix is None:
        return
    if not isinstance(prefix, str) or len(prefix) > aws_rules.S3_KEY_PREFIX_MAX_LENGTH:
        table.error(field, "s3_key_prefix must be a key prefix of at most %d characters (e.g. exports/orders/), got "
                           "%s." % (aws_rules.S3_KEY_PREFIX_MAX_LENGTH, describe(prefix)))
    elif prefix.startswith("s3://"):
        table.error(field, '"%s" is a URL, not a key prefix; the bucket goes in s3_bucket and the prefix is the key '
                           "path inside it (e.g. exports/orders/)." % prefix)
    elif prefix.startswith("/"):
        # S3 keys may begin with a slash, but exports and most tools write none: such a prefix usually matches no
        # object, and the import then creates an empty table.
        table.warning(field, '"%s" begins with "/", which S3 keys rarely do, so it may match no object and import '
                             "nothing; write it without the leading slash unless the keys really have one." % prefix)


def _check_bucket_owner(table, owner):
    if owner is not None and not (isinstance(owner, str) and aws_rules.ACCOUNT_ID_PATTERN.match(owner)):
        table.error("import_source.s3_bucket_owner",
                    "s3_bucket_owner must be the 12-digit account id of the bucket's owner as a quoted string (e.g. "
                    "'012345678901'), got %s." % describe(owner))


def _check_csv_options(table, options):
    field = "import_source.input_format_options"
    if not isinstance(options, Mapping):
        table.error(field, "input_format_options must be a mapping with delimiter and/or header_list, got %s."
                    % describe(options))
        return
    check_unknown_keys(table, options, field + ".", CSV_OPTION_FIELDS)
    delimiter = options.get("delimiter")
    if delimiter is not None and delimiter not in aws_rules.CSV_DELIMITERS:
        table.error(field + ".delimiter", "%s is not a delimiter DynamoDB imports; use one of comma, semicolon, "
                                          "colon, pipe, tab or space (one character) (%s)."
                    % (quote(delimiter), aws_rules.DOCS["csv_options"]))
    if "header_list" in options:
        _check_header_list(table, options["header_list"], field + ".header_list")


def _check_header_list(table, headers, field):
    if not isinstance(headers, (list, tuple)) or not 1 <= len(headers) <= aws_rules.CSV_MAX_HEADERS:
        table.error(field, "header_list must be a list of 1-%d column names, got %s."
                    % (aws_rules.CSV_MAX_HEADERS, describe(headers)))
        return
    for position, header in enumerate(headers):
        if not isinstance(header, str) or not aws_rules.CSV_HEADER_PATTERN.match(header):
            table.error("%s[%d]" % (field, position), '%s is not a column name DynamoDB imports; use printable ASCII '
                                                      'without commas and double quotes (%s).'
                        % (quote(header), aws_rules.DOCS["csv_options"]))
    duplicates = sorted(set(header for header in headers if isinstance(header, str) and headers.count(header) > 1))
    if duplicates:
        table.error(field, "header_list names %s more than once; each column has one name." % ", ".join(duplicates))
    # With a header list, the first line of each file is data: every row without the table's key columns fails.
    for role in ("hash_key", "range_key"):
        key = table.entry.get(role)
        name = key.get("name") if isinstance(key, Mapping) else None
        if isinstance(name, str) and name not in headers:
            table.error(field, "header_list has no column %s, the table's %s; every row would fail to import. Name "
                               "the columns in the files' order, the key columns included." % (name, role))
