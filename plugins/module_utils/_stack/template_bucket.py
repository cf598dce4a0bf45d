# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A CloudFormation template in S3, for a deploy by TemplateURL: the template bucket, its object key and URL.

CloudFormation refuses a TemplateBody over 51,200 bytes; a template in S3 may have up to 1,000,000 bytes. The
bucket this collection finds or creates for it is named from the account and the region, and is hardened as
rain and the CDK bootstrap harden theirs: public access blocked, default encryption, versioning, and a bucket
policy that denies any request not made over TLS. Objects are content-addressed (<stack>/<sha256>.yaml), so a
template already uploaded is never uploaded again.

Pure helpers first, then thin S3 and STS wrappers: one API call each, retried (aws_retry=True), raising
TemplateBucketError for main() to report.
"""

import hashlib
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_code

# CloudFormation quotas: a template passed as TemplateBody, and one read from S3 through TemplateURL. The quota
# page says "1 MB"; the service enforces 1,000,000 bytes ("Template may not exceed 1000000 bytes in size.", the
# limit cfn-lint's E1002 and the emulator also apply), so a body of 1,000,001 to 1,048,576 bytes is refused here
# rather than after its upload.
MAX_TEMPLATE_BODY_BYTES = 51200
MAX_TEMPLATE_URL_BYTES = 1000000

BUCKET_PREFIX = "aichef-dynamodb-templates-"
# S3 general purpose bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at
# each end.
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
# HeadBucket and HeadObject have no body: botocore names their errors by the HTTP status.
NOT_FOUND_CODES = ("404", "NoSuchBucket", "NotFound", "NoSuchKey")
FORBIDDEN_CODES = ("403", "Forbidden", "AccessDenied")


class TemplateBucketError(AnsibleAWSError):
    """An S3 or STS call failed, or the template bucket cannot be used."""


# --- pure helpers -----------------------------------------------------------------------------------------------

def template_bytes(template_body):
    """The body as CloudFormation counts it: UTF-8 bytes."""
    return template_body.encode("utf-8")


def check_template(body):
    """InputError in one line when the body (bytes) is empty or too large for TemplateURL."""
    if not body.strip():
        raise InputError(message="template_body is empty")
    if len(body) > MAX_TEMPLATE_URL_BYTES:
        raise InputError(message="template_body is %d bytes: CloudFormation reads at most %d bytes from S3 "
                                 "(TemplateURL); split the stack" % (len(body), MAX_TEMPLATE_URL_BYTES))


def check_bucket_name(bucket):
    if not BUCKET_NAME.match(bucket) or ".." in bucket:
        raise InputError(message="bucket %r is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and "
                                 "hyphens)" % (bucket,))


def default_bucket_name(account_id, region):
    """aichef-dynamodb-templates-<account id>-<region>: one per account and region, at most 63 characters."""
    return "%s%s-%s" % (BUCKET_PREFIX, account_id, region)


def object_key(stack_name, body):
    """<stack name>/<sha256 of the body>.yaml: the same template always has the same key."""
    return "%s/%s.yaml" % (stack_name, hashlib.sha256(body).hexdigest())


def partition_of(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def template_url(bucket, key, region, endpoint_url=None):
    """The TemplateURL of the object: virtual-hosted style on AWS; path style on an endpoint_url (an emulator,
    whose host names do not resolve per bucket)."""
    if endpoint_url:
        return "%s/%s/%s" % (endpoint_url.rstrip("/"), bucket, key)
    suffix = "amazonaws.com.cn" if partition_of(region) == "aws-cn" else "amazonaws.com"
    return "https://%s.s3.%s.%s/%s" % (bucket, region, suffix, key)


def secure_transport_policy(bucket, region):
    """A bucket policy denying every request that is not made over TLS (aws:SecureTransport false)."""
    arn = "arn:%s:s3:::%s" % (partition_of(region), bucket)
    return json.dumps(dict(Version="2012-10-17", Statement=[dict(
        Sid="DenyInsecureTransport", Effect="Deny", Principal="*", Action="s3:*", Resource=[arn, arn + "/*"],
        Condition={"Bool": {"aws:SecureTransport": "false"}})]), sort_keys=True)


# --- thin wrappers: one call each -------------------------------------------------------------------------------

def caller_account(client):
    """The account id of the credentials (sts:GetCallerIdentity, which needs no IAM permission)."""
    return call(client.get_caller_identity, TemplateBucketError,
                "Failed to read the account id (sts:GetCallerIdentity)")["Account"]


def bucket_access(client, bucket, expected_owner=None):
    """"ok", "missing" or "forbidden" (HeadBucket: 404, or 403 when another account owns it or s3:ListBucket is
    not granted). expected_owner: an account id that must own the bucket (403 otherwise)."""
    kwargs = dict(Bucket=bucket)
    if expected_owner:
        kwargs["ExpectedBucketOwner"] = expected_owner
    try:
        call(client.head_bucket, TemplateBucketError, "Failed to read bucket %s (HeadBucket)" % bucket, **kwargs)
    except TemplateBucketError as e:
        for answer, codes in (("missing", NOT_FOUND_CODES), ("forbidden", FORBIDDEN_CODES)):
            if error_code(*codes)(e.exception):
                return answer
        raise
    return "ok"


def create_bucket(client, bucket, region):
    """CreateBucket in region: us-east-1 takes no LocationConstraint (and refuses one), every other region needs
    it. Object ownership defaults to bucket owner enforced (ACLs disabled)."""
    kwargs = dict(Bucket=bucket)
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = dict(LocationConstraint=region)
    call(client.create_bucket, TemplateBucketError, "Failed to create bucket %s" % bucket, **kwargs)


def block_public_access(client, bucket):
    call(client.put_public_access_block, TemplateBucketError, "Failed to block public access to bucket %s" % bucket,
         Bucket=bucket, PublicAccessBlockConfiguration=dict(BlockPublicAcls=True, IgnorePublicAcls=True,
                                                            BlockPublicPolicy=True, RestrictPublicBuckets=True))


def enable_default_encryption(client, bucket):
    call(client.put_bucket_encryption, TemplateBucketError, "Failed to set the default encryption of bucket %s" % bucket,
         Bucket=bucket, ServerSideEncryptionConfiguration=dict(Rules=[dict(
             ApplyServerSideEncryptionByDefault=dict(SSEAlgorithm="AES256"))]))


def enable_versioning(client, bucket):
    call(client.put_bucket_versioning, TemplateBucketError, "Failed to enable the versioning of bucket %s" % bucket,
         Bucket=bucket, VersioningConfiguration=dict(Status="Enabled"))


# The hardening of a bucket this collection creates, in the order applied (name, call(client, bucket)).
HARDENING = (
    ("public access block", block_public_access),
    ("default encryption", enable_default_encryption),
    ("versioning", enable_versioning),
)


def deny_insecure_transport(client, bucket, region):
    """PutBucketPolicy of the TLS-only policy: True, or False when the credentials may not write bucket policies
    (AccessDenied; the deployer policy of iam_policies.py does not grant s3:PutBucketPolicy)."""
    return call(client.put_bucket_policy, TemplateBucketError, "Failed to set the policy of bucket %s" % bucket,
                absent=error_code("AccessDenied"), Bucket=bucket, Policy=secure_transport_policy(bucket, region)) is not None


def object_exists(client, bucket, key):
    """HeadObject: True, or False on 404 (403 when s3:ListBucket is not granted, reported as an error)."""
    return call(client.head_object, TemplateBucketError, "Failed to read object s3://%s/%s (HeadObject)" % (bucket, key),
                absent=error_code(*NOT_FOUND_CODES), Bucket=bucket, Key=key) is not None


def put_template(client, bucket, key, body, expected_owner=None):
    """PutObject of the body, encrypted with SSE-S3 whatever the bucket's default."""
    kwargs = dict(Bucket=bucket, Key=key, Body=body, ContentType="application/x-yaml", ServerSideEncryption="AES256")
    if expected_owner:
        kwargs["ExpectedBucketOwner"] = expected_owner
    call(client.put_object, TemplateBucketError, "Failed to upload the template to s3://%s/%s" % (bucket, key), **kwargs)
