#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_stack_verify
short_description: Prove that a deployed DynamoDB stack matches its template
version_added: 0.1.0
description:
  - Compares what a CloudFormation template declares with what its stack deployed, through the AWS APIs, and
    returns one check per fact, each with its status (C(pass), C(fail) or C(unsupported)), the expected and
    the actual value.
  - "Checked: the stack is healthy (C(CREATE_COMPLETE), C(UPDATE_COMPLETE), C(UPDATE_ROLLBACK_COMPLETE),
    C(IMPORT_COMPLETE), C(IMPORT_ROLLBACK_COMPLETE)); each declared DynamoDB table exists, is C(ACTIVE), and
    has the declared name, key schema, attribute types, secondary indexes (names, keys, projection), billing
    mode, and, where declared, provisioned throughput, time to live, point-in-time recovery, encryption, table
    class and deletion protection; each declared CloudWatch alarm exists with its metric, threshold,
    evaluation settings and dimensions (a C(TableName) dimension must name the table the template refers to);
    each declared log group exists with its retention; each declared output exists with its value, and its
    export is listed by C(ListExports) for this stack."
  - "What the declaration does not name fails too: each live stack resource whose logical id the template does not
    declare (C(ListStackResources); a table, alarm or log group is named by its name, then its logical id in
    parentheses, and the check by C(is in the stack but not declared)), each stack output that the template's
    C(Outputs) do not declare, and each export of this stack (C(ListExports)) whose name no output of the template
    exports. A stack without any passes one check each (C(stack <name>: resources all declared), C(outputs all
    declared), C(exports all declared)). The export check is C(unsupported) when a declared export name cannot be
    resolved, and the resource check when the template has a C(Transform) (its logical ids come from the
    expansion). A declared resource that the stack lacks fails its C(exists) check, which names the resource."
  - Other resource types are checked to be deployed. With O(detect_drift=true), CloudFormation drift
    detection then runs on the stack, so that a property changed by hand is named with its expected and
    actual value, for every resource type that CloudFormation checks.
  - The live state is read once, with one describe per table, alarm and log group rather than one call per
    check; M(aichef.dynamodb.dynamodb_stack_info) returns the same data.
  - A check is C(unsupported) when it cannot be decided here. It is never counted as passed and does not make
    RV(counts.fail) grow. Above all, a property that the endpoint provably never applied is C(unsupported),
    not C(fail), when all of these hold - the live value is the service default (for example TTL
    C(DISABLED)), CloudFormation reports the resource C(CREATE_COMPLETE), C(UPDATE_COMPLETE) or
    C(IMPORT_COMPLETE), a drift detection ran in this verification and compared the resource, and the
    endpoint's own drift detection leaves the declared property out of the resource's C(ExpectedProperties)
    (AWS lists there every property the template sets, so on AWS such a mismatch is a C(fail)). The decision
    is taken from the endpoint's answers only, never from its address.
  - Template values are resolved as CloudFormation did (C(Ref), C(Fn::Sub), C(Fn::GetAtt), C(Fn::Join),
    C(Fn::Select)) from what the stack reports; a check on a value that cannot be resolved is C(unsupported).
  - The module never fails because a check failed; the caller decides (see RV(counts)). It fails when the
    template is not valid or an AWS call fails.
options:
  stack_name:
    description: Name of the CloudFormation stack.
    type: str
    required: true
  template_body:
    description:
      - The template that was deployed, JSON or YAML (short-form tags such as C(!Ref) are understood).
    type: str
    required: true
  detect_drift:
    description:
      - Run CloudFormation drift detection on the stack and report each resource's drift.
      - Drift detection changes no resource (CloudFormation records its findings on the stack). It is also the
        only evidence that lets a check be C(unsupported) instead of C(fail) on an endpoint that ignores a
        property; without it such a mismatch fails.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for drift detection to finish; a detection still running then is a failed check.
    type: int
    default: 300
  report_dir:
    description:
      - Directory to write the reports a CI reads into (created when missing); none are written when left out.
      - C(verify.junit.xml) holds one test case per check (a failed check is a C(failure) with the expected and
        the actual value, an unsupported one is C(skipped) with the reason); C(verify.md) is a Markdown summary
        for a CI step summary (the counts first, then the failed, unsupported and passed checks).
      - The files are written in check mode too, and even when checks fail (that is when a CI needs them); they
        are local output, not a change to AWS, so the module still reports C(changed=false).
    type: path
notes:
  - Supports check mode. The module changes nothing in either mode and always reports C(changed=false); drift
    detection runs in check mode too, and so does the writing of the reports of O(report_dir).
seealso:
  - module: aichef.dynamodb.dynamodb_stack_info
author:
  - AI Chef platform team (@aichef)
extends_documentation_fragment:
  - aichef.dynamodb.backoff
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Compare stack ai-chef-dynamodb with its template
  aichef.dynamodb.dynamodb_stack_verify:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    region: us-east-1
  register: verification

- name: Show the checks as a table
  ansible.builtin.debug:
    msg: "{{ verification.summary | join('\n') }}"

- name: Fail when a check failed (unsupported checks are shown, and do not fail)
  ansible.builtin.assert:
    that: verification.counts.fail == 0
    fail_msg: "{{ verification.failures }}"

- name: Verify and write verify.junit.xml and verify.md for the CI
  aichef.dynamodb.dynamodb_stack_verify:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    report_dir: "{{ playbook_dir }}/../reports"
  register: verification

- name: Verify without drift detection, in check mode
  aichef.dynamodb.dynamodb_stack_verify:
    stack_name: ai-chef-dynamodb
    template_body: "{{ lookup('ansible.builtin.file', 'dynamodb-schema.yaml') }}"
    detect_drift: false
  check_mode: true
"""

RETURN = r"""
msg:
  description: One line with the counts.
  returned: always
  type: str
  sample: "Stack ai-chef-dynamodb: 38 passed, 0 failed, 4 unsupported (not counted as passed)"
checks:
  description:
    - Every check, in template order (the stack, each resource, the resources the template does not declare,
      the outputs and exports, those it does not declare, then drift).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What is checked, starting with the kind and the name of the resource.
      type: str
      sample: "table ai-chef-sessions: time to live"
    status:
      description: C(pass), C(fail) or C(unsupported).
      type: str
      sample: unsupported
    expected:
      description: The declared value (a string, number, list or dict).
      type: raw
      sample: ENABLED (attribute TTL)
    actual:
      description:
        - The live value; C(absent) or C(not in the stack) when the resource is missing.
        - For a resource, output or export that the template does not declare, what the stack holds (the
          resource's status, with its physical id when the name does not give it; the output's or export's
          value), against the expected C(not in the stack) or C(not listed).
      type: raw
      sample: DISABLED
    reason:
      description: Why a check failed or is unsupported; empty for a pass.
      type: str
      sample: "the endpoint did not apply TimeToLiveSpecification: ..."
  sample:
    - name: "log group /aws/dynamodb/ai-chef-tables: retention"
      status: fail
      expected: 7
      actual: 14
      reason: ""
counts:
  description: How many checks have each status.
  returned: always
  type: dict
  contains:
    pass:
      description: Checks that passed.
      type: int
    fail:
      description: Checks that failed.
      type: int
    unsupported:
      description: Checks that could not be decided here (never counted as passed).
      type: int
  sample: {"pass": 38, "fail": 0, "unsupported": 4}
failures:
  description: One line per failed check, with the whole expected and actual values.
  returned: always
  type: list
  elements: str
  sample: ["log group /aws/dynamodb/ai-chef-tables: retention: expected 7, actual 14"]
summary:
  description:
    - The checks as a compact table. First each failed, then each unsupported check on its own line (status,
      check, expected, actual; long values shortened), with the reason under it (one reason line for a run of
      checks with the same reason). Then the passes grouped per resource, one line each (labelled C(pass) and
      the number of checks, the resource, the aspects that passed); resources whose only pass is the same
      aspect (outputs, exports, drift) share a line. The counts last.
  returned: always
  type: list
  elements: str
  sample:
    - "STATUS       CHECK                                         EXPECTED                ACTUAL"
    - "unsupported  table ai-chef-sessions: time to live          ENABLED (attribute TTL) DISABLED"
    - "             -> the endpoint ignores TimeToLiveSpecification: ..."
    - "pass (8)     table ai-chef-sessions: exists, name, status, key schema, attribute types, billing mode, ..."
    - "pass (4)     output SessionsTableName, SessionsTableArn, ResultsTableName, ResultsTableArn: value"
    - "38 passed, 0 failed, 4 unsupported (not counted as passed)"
reports:
  description: The report files written, by format.
  returned: when O(report_dir) is set
  type: dict
  contains:
    junit:
      description: Path of the JUnit XML file.
      type: str
      sample: reports/verify.junit.xml
    markdown:
      description: Path of the Markdown summary.
      type: str
      sample: reports/verify.md
drift:
  description:
    - The drift detection result (C(DescribeStackDriftDetectionStatus) and C(DescribeStackResourceDrifts)),
      snake_case; C(expected_properties) and C(actual_properties) keep the template's property names.
    - C(detection_status) is C(NOT_RUN) (with the reason) when no detection could run, C(TIMED_OUT) when it
      did not finish within O(wait_timeout).
  returned: when O(detect_drift=true) and the stack exists
  type: dict
  sample:
    detection_status: DETECTION_COMPLETE
    stack_drift_status: DRIFTED
    drifted_stack_resource_count: 1
    resources:
      - logical_resource_id: DynamoDBLogGroup
        stack_resource_drift_status: MODIFIED
        property_differences:
          - property_path: /RetentionInDays
            expected_value: "7"
            actual_value: "14"
            difference_type: NOT_EQUAL
"""

import datetime
import os
import time

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import BACKOFF_ARGUMENT_SPEC
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import retry_decorator
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.files import write_text_file
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_region
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.inputs import validate_stack_name
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import gather_stack_info
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.info import memoized_clients
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.parse import parse_template
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.check_text import failure_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import count_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.drift import run_drift_detection
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.reports import JUNIT_FILE_NAME
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.reports import MARKDOWN_FILE_NAME
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.reports import compact_summary_lines
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.reports import report_files
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.verification import verify_stack


def verify_deployed_stack(client, stack_name, template, detect_drift, wait_timeout):
    """Read the stack once, detect drift when asked, compare; the module's result (without changed)."""
    info = gather_stack_info(client, stack_name)
    drift = None
    if detect_drift and info["stack"]:
        drift = run_drift_detection(client("cloudformation"), stack_name, info["stack"]["stack_status"],
                                    wait_timeout)
    checks = verify_stack(stack_name, template, info, drift)
    counts = count_checks(checks)
    result = dict(
        msg="Stack %s: %d passed, %d failed, %d unsupported (not counted as passed)" % (
            stack_name, counts["pass"], counts["fail"], counts["unsupported"]),
        checks=checks,
        counts=counts,
        failures=failure_lines(checks),
        summary=compact_summary_lines(checks),
    )
    if drift is not None:
        result["drift"] = drift
    return result


def write_reports(report_dir, stack_name, checks, elapsed_seconds):
    """Write the JUnit and Markdown reports into report_dir (created when missing); {format: path}."""
    timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    paths = dict(junit=os.path.join(report_dir, JUNIT_FILE_NAME),
                 markdown=os.path.join(report_dir, MARKDOWN_FILE_NAME))
    files = report_files(stack_name, checks, elapsed_seconds, timestamp)
    for path in paths.values():
        write_text_file(path, files[os.path.basename(path)])
    return paths


def main():
    argument_spec = dict(
        stack_name=dict(type="str", required=True),
        template_body=dict(type="str", required=True),
        detect_drift=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        report_dir=dict(type="path"),
        **BACKOFF_ARGUMENT_SPEC
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    started = time.monotonic()
    try:
        validate_stack_name(module.params["stack_name"])
        template = parse_template(module.params["template_body"])
        validate_region(module.region)
        decorator = retry_decorator(module.params)
        clients = memoized_clients(lambda service: module.client(service, retry_decorator=decorator))
        result = verify_deployed_stack(clients, module.params["stack_name"], template,
                                       module.params["detect_drift"], module.params["wait_timeout"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    if module.params["report_dir"]:
        try:
            result["reports"] = write_reports(module.params["report_dir"], module.params["stack_name"],
                                              result["checks"], time.monotonic() - started)
        except OSError as e:
            result["msg"] = "Failed to write the reports into %s: %s" % (module.params["report_dir"], to_native(e))
            module.fail_json(**result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
