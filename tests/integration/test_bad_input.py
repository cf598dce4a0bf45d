"""Bad input fails the deploy with one clear line, before anything on AWS changes.

Every case runs deploy-dynamodb.yml against the emulator with one wrong input and compares the region's
stacks, tables and exports before and after the run: they must be identical.
"""
import os

import pytest

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

NOT_A_TEMPLATE = "Resources:\n  SessionsTable:\n    Type: AWS::DynamoDB::Table\n    Properties: {TableName: [unclosed\n"

# Credentials could come from any of these; the missing-credentials case removes them all.
CREDENTIAL_ENVIRONMENT = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                          "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "EC2_ACCESS_KEY", "EC2_SECRET_KEY",
                          "EC2_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                          "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


def good_template(tmp_path):
    path = tmp_path / "good.yaml"
    with open(os.path.join(TEMPLATES, "good.yaml")) as handle:
        path.write_text(handle.read().replace("__PREFIX__", "it-bad-input"))
    return str(path)


def case_unknown_region(tmp_path):
    return dict(dynamodb_stack_aws_region="us-esat-1"), {}, ["Unknown AWS region 'us-esat-1'"]


def case_empty_stack_name(tmp_path):
    return dict(dynamodb_stack_name=""), {}, ["Invalid stack name ''"]


def case_invalid_stack_name(tmp_path):
    return dict(dynamodb_stack_name="1bad_name"), {}, ["Invalid stack name '1bad_name'", "starting with a letter"]


def case_missing_template_file(tmp_path):
    missing = str(tmp_path / "no-such-template.yaml")
    return dict(dynamodb_stack_template_path=missing), {}, ["no such file", missing]


def case_template_not_yaml_nor_json(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(NOT_A_TEMPLATE)
    return dict(dynamodb_stack_template_path=str(path)), {}, ["neither valid JSON nor valid YAML"]


def case_template_without_resources(tmp_path):
    path = os.path.join(TEMPLATES, "no-resources.yaml")
    return dict(dynamodb_stack_template_path=path), {}, ["no Resources section"]


def case_wrong_variable_type(tmp_path):
    # Checked by the role's argument_specs before its first task; Ansible words this message itself, as
    # "Validation of arguments failed:" and then one line per wrong argument.
    return dict(dynamodb_stack_allow_delete="maybe"), {}, ["dynamodb_stack_allow_delete", "valid boolean"]


def case_missing_credentials(tmp_path):
    """A real-AWS-like setup (no keys in the inventory, none in the environment or in files) that reaches
    an endpoint: the first AWS call finds no credentials."""
    env = dict((name, None) for name in CREDENTIAL_ENVIRONMENT)
    env.update(AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_CONFIG_FILE="/nonexistent",
               # Nor an instance role: on a CI runner inside EC2 the metadata service would supply one.
               AWS_EC2_METADATA_DISABLED="true")
    return dict(dynamodb_stack_aws_access_key="", dynamodb_stack_aws_secret_key=""), env, ["credentials"]


CASES = [case_unknown_region, case_empty_stack_name, case_invalid_stack_name, case_missing_template_file,
         case_template_not_yaml_nor_json, case_template_without_resources, case_wrong_variable_type,
         case_missing_credentials]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__[len("case_"):] for case in CASES])
def test_bad_input_fails_with_one_clear_line_and_changes_nothing(deploy, aws_state, tmp_path, case):
    extra_vars, env, fragments = case(tmp_path)
    variables = dict(dynamodb_stack_name="it-bad-input", dynamodb_stack_template_path=good_template(tmp_path))
    variables.update(extra_vars)
    # Also the region the run was given, in case a wrong one reached the emulator (which takes any region).
    regions = sorted(set(["us-east-1", variables.get("dynamodb_stack_aws_region", "us-east-1")]))
    before = [aws_state(region) for region in regions]

    run = deploy(extra_vars=variables, env=env)

    assert run.returncode != 0, run.output
    assert len(run.failures) == 1, run.output
    message = run.failures[0].strip()
    lines = message.splitlines()
    if case is case_wrong_variable_type:
        assert lines[0] == "Validation of arguments failed:", message
        lines = lines[1:]
    assert len(lines) == 1, message
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), "%r not in %r" % (fragment, message)
    assert "Traceback" not in run.output, run.output
    assert [aws_state(region) for region in regions] == before
