# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Spark run of the transform needs in S3: the job's script and the zip of the code it imports.

Both are read from this collection as the module runs (each file through the loader that imported it, which
reads it from the AnsiballZ payload zip as from a checkout), so the job always runs the transform of the module
that started it.
The zip holds package aichef_migrate (transform.py and dynamodb_json.py, which import only the standard library);
spark_job.py imports it from there when the collection is not importable, as on Glue and EMR Serverless.
"""

import io
import zipfile

# Imported so that AnsiballZ carries them in the module's payload; their source is what is uploaded.
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import dynamodb_json
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import spark_job
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import transform

ZIP_PACKAGE = "aichef_migrate"
ZIP_MODULES = (("transform.py", transform), ("dynamodb_json.py", dynamodb_json))
# A fixed date: the same collection builds the same zip, byte for byte.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def source_of(module):
    """A module's source file (bytes), read by its own loader: a file of the checkout, or of the payload zip."""
    return module.__loader__.get_data(module.__file__)


def job_script():
    """The job's script (bytes): spark_job.py as it is in this collection."""
    return source_of(spark_job)


def py_files_zip():
    """The zip (bytes) for --extra-py-files (Glue) and --py-files (EMR Serverless): package aichef_migrate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [("__init__.py", b"")] + [(name, source_of(module)) for name, module in ZIP_MODULES]
        for name, data in entries:
            info = zipfile.ZipInfo("%s/%s" % (ZIP_PACKAGE, name), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
