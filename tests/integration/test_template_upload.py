"""cloudformation_template_upload on the emulator: the template bucket created hardened, the object holding the body,
a second run changing nothing, check mode writing nothing, and CloudFormation creating a stack from the returned
TemplateURL, also for a template over the 51,200 bytes a TemplateBody may have."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest
import yaml

from conftest import ROOT, aws_client, playbook_command, status_once_settled

# The emulator answers every request as this account.
ACCOUNT = "000000000000"
TABLE_TEMPLATE = dict(AWSTemplateFormatVersion="2010-09-09", Resources=dict(Table=dict(
    Type="AWS::DynamoDB::Table", Properties=dict(
        TableName="__NAME__-table", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[dict(AttributeName="pk", AttributeType="S")],
        KeySchema=[dict(AttributeName="pk", KeyType="HASH")]))))


def bucket_of(region):
    return "aichef-dynamodb-templates-%s-%s" % (ACCOUNT, region)


def template_for(name, padding=0):
    """A one-table template named after the test; padding: bytes of Metadata that only make it larger."""
    template = json.loads(json.dumps(TABLE_TEMPLATE).replace("__NAME__", name))
    if padding:
        template["Metadata"] = dict(Padding="x" * padding)
    return yaml.safe_dump(template, sort_keys=False, width=1000000)


@pytest.fixture
def work():
    """A directory for the playbook and its output. Not under pytest's tmp_path: every path there holds "test", the
    inventory's dummy secret key, which Ansible masks in all output."""
    while True:
        path = tempfile.mkdtemp(prefix="aichef-upload-")
        if "test" not in path:
            break
        os.rmdir(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def s3(endpoint):
    return aws_client("s3", endpoint_url=endpoint)


@pytest.fixture
def cfn(endpoint):
    return aws_client("cloudformation", endpoint_url=endpoint)


@pytest.fixture
def upload(endpoint, work):
    """upload(stack_name, body, check=False, **options) -> (exit code, the module's result, ansible output): one
    ansible-playbook run of the module on the local inventory's emulator connection."""
    runs = []

    def run(stack_name, body, check=False, **options):
        runs.append(None)
        body_path = os.path.join(work, "body-%d.yaml" % len(runs))
        result_path = os.path.join(work, "result-%d.json" % len(runs))
        with open(body_path, "w") as handle:
            handle.write(body)
        aws = dict(region="{{ dynamodb_stack_aws_region }}", endpoint_url="{{ dynamodb_stack_aws_endpoint_url }}",
                   access_key="{{ dynamodb_stack_aws_access_key }}", secret_key="{{ dynamodb_stack_aws_secret_key }}")
        # The body is read on the controller as it is (the file lookup would drop its last newline).
        arguments = dict(dict(stack_name=stack_name, template_body="{{ body }}"), **options)
        play = dict(hosts="localhost", gather_facts=False, module_defaults={"group/aichef.dynamodb.aws": aws},
                    vars=dict(body="{{ lookup('ansible.builtin.file', %r, rstrip=false) }}" % body_path),
                    tasks=[dict(name="Upload", register="upload", ignore_errors=True, check_mode=check,
                                **{"aichef.dynamodb.cloudformation_template_upload": arguments}),
                           dict(name="Keep the result", **{"ansible.builtin.copy": dict(
                               content="{{ upload | to_json }}", dest=result_path, mode="0600")})])
        playbook = os.path.join(work, "upload-%d.yml" % len(runs))
        with open(playbook, "w") as handle:
            yaml.safe_dump([play], handle, sort_keys=False)
        command, env = playbook_command(playbook)
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                                   check=False)
        output = completed.stdout + completed.stderr
        assert os.path.exists(result_path), output
        with open(result_path) as handle:
            return completed.returncode, json.load(handle), output
    return run


def empty_and_delete(s3, bucket):
    """Remove the bucket with every version of every object (a bucket left by an earlier test or run)."""
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        return
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])
    s3.delete_bucket(Bucket=bucket)


def create_stack_from(cfn, stack_name, template_url):
    cfn.create_stack(StackName=stack_name, TemplateURL=template_url)
    return status_once_settled(cfn, stack_name)


def delete_stack(cfn, stack_name):
    """Delete the stack and wait until it is gone (its table too, so a later run can create it again)."""
    stack_id = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack_name)
    assert status_once_settled(cfn, stack_id) == "DELETE_COMPLETE"


def test_bucket_created_hardened_object_uploaded_second_run_unchanged(upload, s3, cfn, endpoint):
    bucket = bucket_of("us-east-1")
    empty_and_delete(s3, bucket)
    body = template_for("tu-first")

    rc, first, output = upload("tu-first", body)

    assert rc == 0, output
    assert (first["changed"], first["bucket_created"], first["uploaded"]) == (True, True, True), output
    assert first["bucket"] == bucket
    assert first["key"].startswith("tu-first/") and first["key"].endswith(".yaml")
    assert first["template_url"] == "%s/%s/%s" % (endpoint, bucket, first["key"])
    # The hardening, as rain and the CDK bootstrap do it.
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == dict(
        BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=True)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    statement = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]
    assert (statement["Effect"], statement["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    assert s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") in (None, "")
    stored = s3.get_object(Bucket=bucket, Key=first["key"])
    assert stored["Body"].read().decode("utf-8") == body
    assert stored["ServerSideEncryption"] == "AES256"

    rc, second, output = upload("tu-first", body)

    assert rc == 0, output
    assert (second["changed"], second["bucket_created"], second["uploaded"]) == (False, False, False), output
    assert second["template_url"] == first["template_url"]
    versions = s3.list_object_versions(Bucket=bucket, Prefix="tu-first/").get("Versions", [])
    assert len(versions) == 1  # not written twice

    assert create_stack_from(cfn, "tu-first", first["template_url"]) == "CREATE_COMPLETE"
    delete_stack(cfn, "tu-first")


def test_template_over_the_template_body_limit_deploys_by_its_url(upload, s3, cfn):
    body = template_for("tu-large", padding=60000)
    assert len(body.encode("utf-8")) > 51200

    rc, result, output = upload("tu-large", body)

    assert rc == 0, output
    assert result["uploaded"] and result["size"] == len(body.encode("utf-8"))
    with pytest.raises(cfn.exceptions.ClientError, match="51200"):
        cfn.create_stack(StackName="tu-large", TemplateBody=body)  # what the upload is for
    assert create_stack_from(cfn, "tu-large", result["template_url"]) == "CREATE_COMPLETE"
    delete_stack(cfn, "tu-large")


def test_check_mode_writes_nothing(upload, s3):
    bucket = bucket_of("us-east-1")
    empty_and_delete(s3, bucket)

    rc, result, output = upload("tu-check", template_for("tu-check"), check=True)

    assert rc == 0, output
    assert (result["changed"], result["bucket_created"], result["uploaded"]) == (True, True, True), output
    assert result["template_url"].endswith("/%s/%s" % (bucket, result["key"]))
    with pytest.raises(s3.exceptions.ClientError, match="404"):
        s3.head_bucket(Bucket=bucket)

    assert upload("tu-check", template_for("tu-check"))[1]["uploaded"]  # a real run, then check mode again
    rc, result, output = upload("tu-check", template_for("tu-check-2"), check=True)

    assert (rc, result["bucket_created"], result["uploaded"]) == (0, False, True), output
    assert s3.list_objects_v2(Bucket=bucket, Prefix="tu-check/")["KeyCount"] == 1


def test_other_region_bucket_created_with_its_location_constraint(upload, endpoint):
    s3 = aws_client("s3", endpoint_url=endpoint, region_name="eu-west-1")
    bucket = bucket_of("eu-west-1")
    empty_and_delete(s3, bucket)

    rc, result, output = upload("tu-region", template_for("tu-region"), region="eu-west-1")

    assert rc == 0, output
    assert (result["bucket"], result["bucket_created"]) == (bucket, True), output
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"


def test_user_bucket_missing_fails_in_one_line(upload):
    rc, result, output = upload("tu-missing", template_for("tu-missing"), bucket="no-such-bucket-aichef")

    assert result["failed"], output
    assert result["msg"] == ("Bucket no-such-bucket-aichef does not exist: create it, or leave bucket empty for the "
                             "collection's own template bucket")


def test_user_bucket_used_as_is(upload, s3):
    s3.create_bucket(Bucket="tu-team-templates")
    body = template_for("tu-user")

    rc, result, output = upload("tu-user", body, bucket="tu-team-templates")

    assert rc == 0, output
    assert (result["bucket"], result["bucket_created"], result["uploaded"]) == ("tu-team-templates", False, True)
    assert s3.get_object(Bucket="tu-team-templates", Key=result["key"])["Body"].read().decode("utf-8") == body
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket="tu-team-templates")  # a user's bucket is not changed
