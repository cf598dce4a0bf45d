"""cloudformation_template_upload: the template bucket found, or created and hardened; a user's bucket used as it
is; the object uploaded only when its content-addressed key is absent; check mode reads only; bad input and AWS
errors reported in one line, bad input before any AWS call."""
import hashlib
import json

import botocore.loaders
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack import template_bucket as tb
from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_template_upload as module
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client_with_stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import run_module_main
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import respond

ACCOUNT = "123456789012"
STACK = "ai-chef-dynamodb"
BODY = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n"
KEY = "%s/%s.yaml" % (STACK, hashlib.sha256(BODY.encode("utf-8")).hexdigest())
OWN_BUCKET = "aichef-dynamodb-templates-%s-us-east-1" % ACCOUNT
USER_BUCKET = "team-cfn-templates"
DOCUMENTED_KEYS = set(yaml.safe_load(module.RETURN))
WRITES = ("s3:CreateBucket", "s3:PutPublicAccessBlock", "s3:PutBucketEncryption", "s3:PutBucketVersioning",
          "s3:PutBucketPolicy", "s3:PutObject")


@pytest.fixture
def requested_clients(monkeypatch, s3, sts):
    return patch_aws_client_with_stubs(monkeypatch, s3=s3, sts=sts)


def run(capsys, check=False, **args):
    args = dict(dict(stack_name=STACK, template_body=BODY, region="us-east-1"), **args)
    if check:
        args["_ansible_check_mode"] = True
    return run_module_main(module.main, capsys, **args)


# --- stubs ---------------------------------------------------------------------------------------------------------

def stub_account(sts, account=ACCOUNT):
    respond(sts.stubber, "get_caller_identity",
            dict(Account=account, Arn="arn:aws:sts::%s:assumed-role/deployer/ci" % account, UserId="AROAEXAMPLE:ci"),
            {})


def stub_head_bucket(s3, bucket, owner=None, error_code=None):
    params = dict(Bucket=bucket)
    if owner:
        params["ExpectedBucketOwner"] = owner
    status = dict(("%d" % code, code) for code in (403, 404)).get(error_code, 400)
    respond(s3.stubber, "head_bucket", {}, params, error_code=error_code, http_status_code=status)


def stub_create_and_harden(s3, bucket, region="us-east-1", fail_step=None, error_code="AccessDenied"):
    """CreateBucket and the four hardening calls with their exact parameters; fail_step: the operation that fails
    with error_code (the calls after it are not queued)."""
    create = dict(Bucket=bucket)
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = dict(LocationConstraint=region)
    arn = "arn:aws:s3:::" + bucket
    policy = dict(Version="2012-10-17", Statement=[dict(
        Sid="DenyInsecureTransport", Effect="Deny", Principal="*", Action="s3:*", Resource=[arn, arn + "/*"],
        Condition={"Bool": {"aws:SecureTransport": "false"}})])
    calls = [
        ("create_bucket", dict(Location="/" + bucket), create),
        ("put_public_access_block", {}, dict(Bucket=bucket, PublicAccessBlockConfiguration=dict(
            BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True))),
        ("put_bucket_encryption", {}, dict(Bucket=bucket, ServerSideEncryptionConfiguration=dict(Rules=[dict(
            ApplyServerSideEncryptionByDefault=dict(SSEAlgorithm="AES256"))]))),
        ("put_bucket_versioning", {}, dict(Bucket=bucket, VersioningConfiguration=dict(Status="Enabled"))),
        ("put_bucket_policy", {}, dict(Bucket=bucket, Policy=json.dumps(policy, sort_keys=True))),
    ]
    for method, response, params in calls:
        failing = method == fail_step
        respond(s3.stubber, method, response, params, error_code=error_code if failing else None,
                error_message=error_code, http_status_code=403 if error_code == "AccessDenied" else 400)
        if failing:
            return


def stub_head_object(s3, bucket, exists, key=KEY):
    respond(s3.stubber, "head_object", dict(ContentLength=len(BODY)), dict(Bucket=bucket, Key=key),
            error_code=None if exists else "404", http_status_code=404)


def stub_put_object(s3, bucket, owner=None, body=BODY, key=KEY, error_code=None):
    params = dict(Bucket=bucket, Key=key, Body=body.encode("utf-8"), ContentType="application/x-yaml",
                  ServerSideEncryption="AES256")
    if owner:
        params["ExpectedBucketOwner"] = owner
    respond(s3.stubber, "put_object", dict(ETag='"etag"'), params, error_code=error_code,
            error_message="Access Denied", http_status_code=403)


# --- the collection's own bucket -------------------------------------------------------------------------------------

def test_own_bucket_found_template_uploaded(capsys, s3, sts, requested_clients, api_calls):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT)
    stub_head_object(s3, OWN_BUCKET, exists=False)
    stub_put_object(s3, OWN_BUCKET, owner=ACCOUNT)

    rc, result = run(capsys)

    assert rc == 0, result
    assert (result["changed"], result["bucket_created"], result["uploaded"]) == (True, False, True)
    assert (result["bucket"], result["key"], result["size"]) == (OWN_BUCKET, KEY, len(BODY))
    assert result["template_url"] == "https://%s.s3.us-east-1.amazonaws.com/%s" % (OWN_BUCKET, KEY)
    assert result["msg"] == "template uploaded (%d bytes): %s" % (len(BODY), result["template_url"])
    assert api_calls == ["sts:GetCallerIdentity", "s3:HeadBucket", "s3:HeadObject", "s3:PutObject"]
    assert DOCUMENTED_KEYS <= set(result)


def test_own_bucket_missing_is_created_with_every_hardening_call(capsys, s3, sts, requested_clients, api_calls):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT, error_code="404")
    stub_create_and_harden(s3, OWN_BUCKET)
    stub_put_object(s3, OWN_BUCKET, owner=ACCOUNT)

    rc, result = run(capsys)

    assert rc == 0, result
    assert (result["changed"], result["bucket_created"], result["uploaded"]) == (True, True, True)
    assert result["msg"].startswith("bucket %s created; template uploaded" % OWN_BUCKET)
    # A new bucket holds no object: no HeadObject.
    assert api_calls == ["sts:GetCallerIdentity", "s3:HeadBucket", "s3:CreateBucket", "s3:PutPublicAccessBlock",
                         "s3:PutBucketEncryption", "s3:PutBucketVersioning", "s3:PutBucketPolicy", "s3:PutObject"]


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-2"])
def test_own_bucket_outside_us_east_1_is_created_with_a_location_constraint(capsys, s3, sts, requested_clients,
                                                                            region):
    bucket = "aichef-dynamodb-templates-%s-%s" % (ACCOUNT, region)
    stub_account(sts)
    stub_head_bucket(s3, bucket, owner=ACCOUNT, error_code="404")
    stub_create_and_harden(s3, bucket, region=region)  # expects CreateBucketConfiguration.LocationConstraint
    stub_put_object(s3, bucket, owner=ACCOUNT)

    rc, result = run(capsys, region=region)

    assert rc == 0, result
    assert result["template_url"] == "https://%s.s3.%s.amazonaws.com/%s" % (bucket, region, KEY)


def test_own_bucket_in_us_east_1_is_created_without_a_location_constraint(s3):
    respond(s3.stubber, "create_bucket", dict(Location="/b"), dict(Bucket=OWN_BUCKET))  # exactly these parameters
    tb.create_bucket(s3.wrapped(), OWN_BUCKET, "us-east-1")


def test_own_bucket_of_another_account_fails_clearly(capsys, s3, sts, requested_clients, api_calls):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT, error_code="403")

    rc, result = run(capsys)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == ("Bucket %s exists but does not belong to account %s, or these credentials lack "
                             "s3:ListBucket on it (HeadBucket 403): name another bucket with the bucket option"
                             % (OWN_BUCKET, ACCOUNT))
    assert api_calls == ["sts:GetCallerIdentity", "s3:HeadBucket"]


def test_hardening_refused_names_the_step_in_one_line(capsys, s3, sts, requested_clients, api_calls):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT, error_code="404")
    stub_create_and_harden(s3, OWN_BUCKET, fail_step="put_bucket_encryption")

    rc, result = run(capsys)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"].startswith("Bucket %s was created, but setting its default encryption failed" % OWN_BUCKET)
    assert result["msg"].endswith("Failed to set the default encryption of bucket %s: An error occurred "
                                  "(AccessDenied) when calling the PutBucketEncryption operation: AccessDenied"
                                  % OWN_BUCKET)
    assert "\n" not in result["msg"]
    assert "s3:PutObject" not in api_calls


# --- the template object -------------------------------------------------------------------------------------------

def test_bucket_policy_refused_creates_the_bucket_without_it_and_warns(capsys, s3, sts, requested_clients,
                                                                       api_calls):
    """The deployer policy leaves s3:PutBucketPolicy out (a role writing bucket policies can widen its rights)."""
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT, error_code="404")
    stub_create_and_harden(s3, OWN_BUCKET, fail_step="put_bucket_policy")
    stub_put_object(s3, OWN_BUCKET, owner=ACCOUNT)

    rc, result = run(capsys)

    assert (rc, result["bucket_created"], result["uploaded"]) == (0, True, True)
    # ansible-core returns a warning as its text or, in some runs, as a WarningSummary mapping holding it.
    warnings = [warning["event"]["msg"] if isinstance(warning, dict) else warning for warning in result["warnings"]]
    assert warnings == [
        "Bucket %s was created without its TLS-only bucket policy: these credentials may not set bucket policies "
        "(s3:PutBucketPolicy, which the deployer policy leaves out); an administrator can add a policy that denies "
        "aws:SecureTransport false" % OWN_BUCKET]
    assert api_calls[-2:] == ["s3:PutBucketPolicy", "s3:PutObject"]


def test_bucket_policy_failing_otherwise_fails(capsys, s3, sts, requested_clients):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT, error_code="404")
    stub_create_and_harden(s3, OWN_BUCKET, fail_step="put_bucket_policy", error_code="MalformedPolicy")

    rc, result = run(capsys)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"].startswith("Failed to set the policy of bucket %s: An error occurred (MalformedPolicy)"
                                    % OWN_BUCKET)


def test_object_exists_nothing_uploaded_changed_false(capsys, s3, sts, requested_clients, api_calls):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT)
    stub_head_object(s3, OWN_BUCKET, exists=True)

    rc, result = run(capsys)

    assert (rc, result["changed"], result["uploaded"], result["bucket_created"]) == (0, False, False, False)
    assert result["msg"].startswith("template already uploaded")
    assert "s3:PutObject" not in api_calls


def test_key_is_the_stack_and_the_sha256_of_the_utf8_body():
    body = u"Description: caf\u00e9\n".encode("utf-8")
    assert tb.object_key("s", body) == "s/%s.yaml" % hashlib.sha256(body).hexdigest()


def test_upload_refused_reported_in_one_line(capsys, s3, sts, requested_clients):
    stub_head_bucket(s3, USER_BUCKET)
    stub_head_object(s3, USER_BUCKET, exists=False)
    stub_put_object(s3, USER_BUCKET, error_code="AccessDenied")

    rc, result = run(capsys, bucket=USER_BUCKET)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == ("Failed to upload the template to s3://%s/%s: An error occurred (AccessDenied) when "
                             "calling the PutObject operation: Access Denied" % (USER_BUCKET, KEY))


def test_head_object_refused_reported_in_one_line(capsys, s3, sts, requested_clients):
    stub_head_bucket(s3, USER_BUCKET)
    respond(s3.stubber, "head_object", {}, dict(Bucket=USER_BUCKET, Key=KEY), error_code="403",
            http_status_code=403)

    rc, result = run(capsys, bucket=USER_BUCKET)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"].startswith("Failed to read object s3://%s/%s (HeadObject): " % (USER_BUCKET, KEY))
    assert "\n" not in result["msg"]


def test_caller_identity_refused_reported_in_one_line(capsys, s3, sts, requested_clients, api_calls):
    respond(sts.stubber, "get_caller_identity", {}, {}, error_code="ExpiredToken",
            error_message="The security token included in the request is expired")

    rc, result = run(capsys)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == ("Failed to read the account id (sts:GetCallerIdentity): An error occurred "
                             "(ExpiredToken) when calling the GetCallerIdentity operation: The security token "
                             "included in the request is expired")
    assert api_calls == ["sts:GetCallerIdentity"]


# --- a bucket named by the user --------------------------------------------------------------------------------------

def test_user_bucket_is_used_as_is_without_sts(capsys, s3, sts, requested_clients, api_calls):
    stub_head_bucket(s3, USER_BUCKET)
    stub_head_object(s3, USER_BUCKET, exists=False)
    stub_put_object(s3, USER_BUCKET)

    rc, result = run(capsys, bucket=USER_BUCKET)

    assert (rc, result["changed"], result["bucket_created"], result["bucket"]) == (0, True, False, USER_BUCKET)
    assert api_calls == ["s3:HeadBucket", "s3:HeadObject", "s3:PutObject"]
    assert requested_clients == ["s3"]  # no STS client: the account id is not needed


def test_user_bucket_missing_fails_clearly(capsys, s3, sts, requested_clients, api_calls):
    stub_head_bucket(s3, USER_BUCKET, error_code="404")

    rc, result = run(capsys, bucket=USER_BUCKET)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == ("Bucket %s does not exist: create it, or leave bucket empty for the collection's own "
                             "template bucket" % USER_BUCKET)
    assert api_calls == ["s3:HeadBucket"]


def test_user_bucket_forbidden_fails_clearly(capsys, s3, sts, requested_clients, api_calls):
    stub_head_bucket(s3, USER_BUCKET, error_code="403")

    rc, result = run(capsys, bucket=USER_BUCKET)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == ("Bucket %s is not accessible (HeadBucket 403): another account owns it, or these "
                             "credentials lack s3:ListBucket on it" % USER_BUCKET)


# --- check mode ------------------------------------------------------------------------------------------------------

def test_check_mode_reports_the_bucket_and_upload_it_would_make(capsys, s3, sts, requested_clients, api_calls):
    stub_account(sts)
    stub_head_bucket(s3, OWN_BUCKET, owner=ACCOUNT, error_code="404")

    rc, result = run(capsys, check=True)

    assert (rc, result["changed"], result["bucket_created"], result["uploaded"]) == (0, True, True, True)
    assert result["template_url"] == "https://%s.s3.us-east-1.amazonaws.com/%s" % (OWN_BUCKET, KEY)
    assert result["msg"].startswith("bucket %s would be created; template would be uploaded" % OWN_BUCKET)
    assert api_calls == ["sts:GetCallerIdentity", "s3:HeadBucket"]


def test_check_mode_existing_bucket_reads_the_object_only(capsys, s3, sts, requested_clients, api_calls):
    stub_head_bucket(s3, USER_BUCKET)
    stub_head_object(s3, USER_BUCKET, exists=False)

    rc, result = run(capsys, check=True, bucket=USER_BUCKET)

    assert (rc, result["changed"], result["uploaded"]) == (0, True, True)
    assert not [call for call in api_calls if call in WRITES]


# --- input refused before any AWS call -------------------------------------------------------------------------------

def test_body_over_the_template_url_limit_refused_before_any_call(capsys, s3, sts, requested_clients, api_calls):
    body = "#" * (tb.MAX_TEMPLATE_URL_BYTES + 1)

    rc, result = run(capsys, template_body=body)

    assert (rc, result["failed"]) == (1, True)
    assert result["msg"] == ("template_body is 1000001 bytes: CloudFormation reads at most 1000000 bytes from S3 "
                             "(TemplateURL); split the stack")
    assert api_calls == []


def test_body_size_counts_utf8_bytes_not_characters(capsys, s3, sts, requested_clients, api_calls):
    body = u"\u00e9" * (tb.MAX_TEMPLATE_URL_BYTES // 2 + 1)  # fewer characters than the limit, more bytes

    rc, result = run(capsys, template_body=body)

    assert (rc, result["failed"], api_calls) == (1, True, [])
    assert "1000002 bytes" in result["msg"]


def test_body_at_the_limit_is_uploaded(capsys, s3, sts, requested_clients):
    body = "#" * tb.MAX_TEMPLATE_URL_BYTES
    key = "%s/%s.yaml" % (STACK, hashlib.sha256(body.encode()).hexdigest())
    stub_head_bucket(s3, USER_BUCKET)
    stub_head_object(s3, USER_BUCKET, exists=False, key=key)
    stub_put_object(s3, USER_BUCKET, body=body, key=key)

    rc, result = run(capsys, template_body=body, bucket=USER_BUCKET)

    assert (rc, result["uploaded"], result["size"]) == (0, True, tb.MAX_TEMPLATE_URL_BYTES)


@pytest.mark.parametrize("args, message", [
    (dict(template_body="  \n"), "template_body is empty"),
    (dict(stack_name="1-bad"), "Invalid stack name '1-bad': CloudFormation needs 1-128 letters, digits or hyphens, "
                               "starting with a letter"),
    (dict(bucket="Team_Bucket"), "bucket 'Team_Bucket' is not an S3 bucket name (3 to 63 lower-case letters, "
                                 "digits, dots and hyphens)"),
    (dict(region="us-east-9"), "Unknown AWS region 'us-east-9' for s3 (a typo? e.g. us-east-1)"),
])
def test_bad_input_refused_before_any_call(capsys, s3, sts, requested_clients, api_calls, args, message):
    rc, result = run(capsys, **args)

    assert (rc, result["failed"], result["msg"]) == (1, True, message)
    assert api_calls == []


# --- URLs and names --------------------------------------------------------------------------------------------------

def test_endpoint_url_gives_a_path_style_url(capsys, s3, sts, requested_clients):
    stub_head_bucket(s3, USER_BUCKET)
    stub_head_object(s3, USER_BUCKET, exists=True)

    rc, result = run(capsys, bucket=USER_BUCKET, endpoint_url="http://127.0.0.1:4566/")

    assert result["template_url"] == "http://127.0.0.1:4566/%s/%s" % (USER_BUCKET, KEY)


@pytest.mark.parametrize("region, url", [
    ("us-east-1", "https://b.s3.us-east-1.amazonaws.com/k"),
    ("eu-central-1", "https://b.s3.eu-central-1.amazonaws.com/k"),
    ("cn-north-1", "https://b.s3.cn-north-1.amazonaws.com.cn/k"),
])
def test_template_url_on_aws_is_virtual_hosted_in_the_region(region, url):
    assert tb.template_url("b", "k", region) == url


def test_default_bucket_name_is_valid_in_every_known_region():
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    regions = [region for partition in partitions for region in partition.get("regions", {})
               if not region.endswith("-global")]
    assert regions
    for region in regions:
        name = tb.default_bucket_name(ACCOUNT, region)
        tb.check_bucket_name(name)  # raises if not
        assert len(name) <= 63, name


def test_secure_transport_policy_uses_the_partition():
    policy = json.loads(tb.secure_transport_policy("b", "cn-north-1"))
    assert policy["Statement"][0]["Resource"] == ["arn:aws-cn:s3:::b", "arn:aws-cn:s3:::b/*"]
