#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudformation_template_upload
short_description: Upload a CloudFormation template to S3 so it can be deployed by TemplateURL
version_added: 0.2.0
description:
  - CloudFormation refuses a C(TemplateBody) over 51,200 bytes; a template read from S3 through C(TemplateURL) may
    have up to 1,000,000 bytes. This module puts O(template_body) in S3 and returns the C(template_url) to give to
    C(amazon.aws.cloudformation) (O(template_body) there becomes C(template_url)) or to a change set.
  - The object key is C(<stack_name>/<sha256 of the body>.yaml). An object of that key already holds this very
    template, so it is not uploaded again (C(HeadObject) first); the module then reports no change.
  - The object is written with SSE-S3 encryption (C(ServerSideEncryption=AES256)).
  - With no O(bucket), the module uses the bucket C(aichef-dynamodb-templates-<account id>-<region>) of the
    caller's account (C(sts:GetCallerIdentity)), and creates it when it does not exist, hardened as the rain tool
    and the CDK bootstrap harden theirs - all four public access blocks on, default encryption SSE-S3, versioning
    enabled, and a bucket policy that denies any request not made over TLS (C(aws:SecureTransport) false). The
    bucket must then belong to the caller's account (C(ExpectedBucketOwner)).
  - Credentials without C(s3:PutBucketPolicy) (the deployer policy of P(aichef.dynamodb.dynamodb_iam_policies#filter)
    leaves it out, since a role that writes a bucket policy can widen its own rights) create the bucket without the
    TLS-only policy, with a warning.
  - A bucket named in O(bucket) must exist already; it is used as it is.
  - A body over 1,000,000 bytes is refused before any AWS call.
options:
  template_body:
    description: The template, YAML or JSON text, as it will be deployed.
    type: str
    required: true
  stack_name:
    description: Name of the CloudFormation stack the template is for; the first part of the object key.
    type: str
    required: true
  bucket:
    description:
      - An existing S3 bucket to upload to.
      - Empty means the collection's own bucket C(aichef-dynamodb-templates-<account id>-<region>), created when
        it does not exist.
    type: str
    default: ""
notes:
  - Supports check mode. In check mode only the account id, the bucket and the object are read (C(HeadBucket),
    C(HeadObject)); the result says what would be created and uploaded, and the URL the template would have.
  - When O(endpoint_url) is set (an emulator, a VPC endpoint), C(template_url) is path style,
    C(<endpoint_url>/<bucket>/<key>); otherwise it is the bucket's virtual-hosted URL in O(region).
  - CloudFormation reads the template with the caller's credentials, so the role that deploys the stack also needs
    C(s3:GetObject) on the object.
  - If a hardening call fails after the bucket is created, the module fails naming the step; a later run finds the
    bucket and uses it as it is, so apply the missing setting by hand (or delete the empty bucket) first.
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Upload the stack's template to the collection's template bucket
  aichef.dynamodb.cloudformation_template_upload:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
  register: upload

- name: Show where the template is
  ansible.builtin.debug:
    msg: "{{ upload.template_url }} ({{ 'uploaded' if upload.uploaded else 'already there' }})"

- name: Upload it again to a bucket that exists (the template bucket found above); nothing is uploaded twice
  aichef.dynamodb.cloudformation_template_upload:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    bucket: "{{ upload.bucket }}"
  register: again

- name: The same template has the same key, so the second upload changed nothing
  ansible.builtin.assert:
    that:
      - not again.changed
      - again.template_url == upload.template_url
"""

RETURN = r"""
template_url:
  description:
    - The URL of the template object, for C(TemplateURL) - C(https://<bucket>.s3.<region>.amazonaws.com/<key>) on
      AWS, C(<endpoint_url>/<bucket>/<key>) with O(endpoint_url).
    - In check mode, the URL the template would have.
  returned: success
  type: str
  sample: https://aichef-dynamodb-templates-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com/ai-chef-dynamodb/3f1c0e8e.yaml
bucket:
  description: The bucket of the template.
  returned: success
  type: str
  sample: aichef-dynamodb-templates-123456789012-eu-west-1
key:
  description: The object key, C(<stack_name>/<sha256 of the body>.yaml).
  returned: success
  type: str
  sample: ai-chef-dynamodb/3f1c0e8e2b6d4a5f9c7e1d2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e.yaml
bucket_created:
  description: Whether the bucket was created (in check mode, would be).
  returned: success
  type: bool
  sample: false
uploaded:
  description: Whether the template was uploaded (in check mode, would be); false when the object already existed.
  returned: success
  type: bool
  sample: true
size:
  description: The size of the template in bytes (UTF-8).
  returned: success
  type: int
  sample: 58213
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import LazyClient
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import template_bucket as tb


def check_inputs(body, stack_name, bucket, region):
    """InputError in one line, before any AWS call."""
    validate_stack_name(stack_name)
    tb.check_template(body)
    if bucket:
        tb.check_bucket_name(bucket)
    validate_region(region, service="s3")


def user_bucket(s3, bucket):
    """The bucket named by the user, which must exist and answer HeadBucket."""
    access = tb.bucket_access(s3, bucket)
    if access == "missing":
        raise InputError(message="Bucket %s does not exist: create it, or leave bucket empty for the collection's "
                                 "own template bucket" % bucket)
    if access == "forbidden":
        raise InputError(message="Bucket %s is not accessible (HeadBucket 403): another account owns it, or these "
                                 "credentials lack s3:ListBucket on it" % bucket)


def own_bucket(s3, bucket, account, region, check_mode, warnings):
    """Find or create (hardened) the collection's bucket of the account -> whether it is (would be) created."""
    access = tb.bucket_access(s3, bucket, expected_owner=account)
    if access == "forbidden":
        raise tb.TemplateBucketError(
            message="Bucket %s exists but does not belong to account %s, or these credentials lack s3:ListBucket on "
                    "it (HeadBucket 403): name another bucket with the bucket option" % (bucket, account))
    if access == "ok":
        return False
    if check_mode:
        return True
    tb.create_bucket(s3, bucket, region)
    for step, harden in tb.HARDENING:
        try:
            harden(s3, bucket)
        except tb.TemplateBucketError as e:
            raise tb.TemplateBucketError(
                message="Bucket %s was created, but setting its %s failed; later runs use the bucket as it is, so "
                        "set it by hand or delete the empty bucket. %s" % (bucket, step, e.message),
                exception=e.exception)
    if not tb.deny_insecure_transport(s3, bucket, region):
        warnings.append("Bucket %s was created without its TLS-only bucket policy: these credentials may not set "
                        "bucket policies (s3:PutBucketPolicy, which the deployer policy leaves out); an administrator "
                        "can add a policy that denies aws:SecureTransport false" % bucket)
    return True


def upload_template(s3, sts, params, region, check_mode, warnings):
    """dict(changed, template_url, bucket, key, bucket_created, uploaded, size); warnings: a list to extend."""
    body = tb.template_bytes(params["template_body"])
    check_inputs(body, params["stack_name"], params["bucket"], region)
    key = tb.object_key(params["stack_name"], body)
    bucket, owner, created = params["bucket"], None, False
    if bucket:
        user_bucket(s3, bucket)
    else:
        owner = tb.caller_account(sts)
        bucket = tb.default_bucket_name(owner, region)
        created = own_bucket(s3, bucket, owner, region, check_mode, warnings)
    uploaded = created or not tb.object_exists(s3, bucket, key)
    if uploaded and not check_mode:
        tb.put_template(s3, bucket, key, body, expected_owner=owner)
    return dict(changed=created or uploaded, bucket=bucket, key=key, bucket_created=created, uploaded=uploaded,
                size=len(body), template_url=tb.template_url(bucket, key, region, params.get("endpoint_url")))


def summary(result, check_mode):
    would = "would be " if check_mode else ""
    parts = (["bucket %s %screated" % (result["bucket"], would)] if result["bucket_created"] else []) + [
        "template %s%s" % (would + "uploaded" if result["uploaded"] else "already uploaded",
                           " (%d bytes)" % result["size"])]
    return "; ".join(parts) + ": " + result["template_url"]


def main():
    argument_spec = dict(
        template_body=dict(type="str", required=True),
        stack_name=dict(type="str", required=True),
        bucket=dict(type="str", default=""),
        **BACKOFF_ARGUMENT_SPEC
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    retry = retry_decorator(module.params)
    try:
        s3 = LazyClient(lambda: module.client("s3", retry_decorator=retry))
        sts = LazyClient(lambda: module.client("sts", retry_decorator=retry))
        warnings = []
        result = upload_template(s3, sts, module.params, module.region, module.check_mode, warnings)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(msg=summary(result, module.check_mode), **result)


if __name__ == "__main__":
    main()
