# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transform stage of a migration through S3: one export data file in, gzip DynamoDB JSON parts out.

Streaming with bounded memory: the data file is read line by line through gzip, each kept item is transformed
(transform.py, the copy's own code) and written to a compressed temporary file; a part is uploaded when it
reaches PART_BYTES compressed, so at most one part is held in memory, whatever the size of the data file.
Part keys are fixed by the data file's position and the part number: a re-run of an interrupted file writes the
same keys over again, and the import never sees a part twice.
"""

import gzip
import tempfile

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.dynamodb_json import item_line
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.dynamodb_json import parse_line
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import S3MigrationError
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import get_object
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.s3_objects import put_object
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import ItemRejected
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import check_target_item
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import key_of
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import readable_key
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.transform import transform_item

PART_BYTES = 64 * 1024 * 1024  # compressed bytes per uploaded part: the most held in memory at once
MAX_EXAMPLES = 5


def part_key(prefix, file_index, part):
    return "%s/%06d-%04d.json.gz" % (prefix.rstrip("/"), file_index, part)


class PartWriter:
    """Compressed parts of one data file's output, uploaded as each fills up."""

    def __init__(self, client, bucket, prefix, file_index, part_bytes):
        self.client, self.bucket, self.prefix, self.file_index = client, bucket, prefix, file_index
        self.part_bytes = part_bytes
        self.keys = []
        self.spool = self.gzip = None

    def write(self, line):
        if self.gzip is None:
            self.spool = tempfile.TemporaryFile()
            self.gzip = gzip.GzipFile(fileobj=self.spool, mode="wb")
        self.gzip.write(line)
        if self.spool.tell() >= self.part_bytes:
            self.flush()

    def flush(self):
        if self.gzip is None:
            return
        self.gzip.close()
        self.spool.seek(0)
        # Bytes, not the file: a retried PutObject must send the whole body again.
        body = self.spool.read()
        self.spool.close()
        self.gzip = self.spool = None
        key = part_key(self.prefix, self.file_index, len(self.keys))
        put_object(self.client, self.bucket, key, body)
        self.keys.append(key)


def transform_data_file(client, bucket, data_key, file_index, out_prefix, transform, target_key, source_key_names,
                        part_bytes=PART_BYTES):
    """Transform one export data file into parts under out_prefix -> dict of counts, part keys and failures."""
    counts = dict(items_read=0, items_written=0, items_filtered=0, items_failed=0, parts=[], failed_examples=[])
    response = get_object(client, bucket, data_key)
    if response is None:
        raise S3MigrationError(message="The export's data file s3://%s/%s is missing" % (bucket, data_key))
    writer = PartWriter(client, bucket, out_prefix, file_index, part_bytes)
    with gzip.GzipFile(fileobj=response["Body"], mode="rb") as lines:
        for number, line in enumerate(lines, 1):
            try:
                item = parse_line(line)
            except (ValueError, TypeError) as e:
                raise S3MigrationError(message="s3://%s/%s line %d is not DynamoDB JSON: %s" % (
                    bucket, data_key, number, e))
            if item is None:
                continue
            counts["items_read"] += 1
            try:
                result = transform_item(item, transform)
                if result is None:
                    counts["items_filtered"] += 1
                    continue
                check_target_item(result, target_key)
            except ItemRejected as e:
                counts["items_failed"] += 1
                if len(counts["failed_examples"]) < MAX_EXAMPLES:
                    counts["failed_examples"].append(dict(key=readable_key(key_of(item, source_key_names)),
                                                          reason=e.reason))
                continue
            writer.write(item_line(result))
            counts["items_written"] += 1
    writer.flush()
    counts["parts"] = writer.keys
    return counts
