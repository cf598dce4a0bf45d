# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what a template declares with what its stack deployed.

Pure functions over parse_template(...), gather_stack_info(...) and run_drift_detection(...): no AWS call here.
The result is a list of checks, each {name, status, expected, actual, reason}, status one of:

* pass: the live value is the declared one.
* fail: it is not, or the resource is missing.
* unsupported: the check cannot be decided here. It is never counted as passed, and it never fails a run.

When is a check "unsupported"? (the endpoint-gap rule)
------------------------------------------------------
Some endpoints accept a template property, report the resource CREATE_COMPLETE, and never apply the property:
the embedded emulator creates tables without TimeToLiveSpecification and PointInTimeRecoverySpecification
(DESIGN.md section 5), while its DynamoDB API answers DescribeTimeToLive / DescribeContinuousBackups with
DISABLED. On AWS the very same answers mean that someone turned the feature off by hand: a failure.

The rule decides from the endpoint's own answers, never from its address or name. A property check whose
live value differs from the declared one is "unsupported" only when all of these hold:

1. the live value is the service default, i.e. what the resource is when the property is not applied at all
   (DISABLED for TTL, point-in-time recovery, SSE and deletion protection; STANDARD table class;
   PROVISIONED billing; log events that never expire). Any other value was set by someone: fail;
2. CloudFormation reports the resource CREATE_COMPLETE, UPDATE_COMPLETE or IMPORT_COMPLETE: it claims to
   have applied the template to it;
3. a drift detection ran in this verification and reported the resource IN_SYNC or MODIFIED, with a
   non-empty ExpectedProperties document;
4. that ExpectedProperties document, which is CloudFormation's own record of the properties the template set
   on the resource, does not contain the property.

On AWS, ExpectedProperties holds every property that the template sets explicitly ("the expected property
values of the stack resource, as defined in the stack template"), so condition 4 cannot hold there and a
property turned off by hand is a failure (which drift detection reports as well). An endpoint whose
CloudFormation leaves a declared property out of ExpectedProperties shows that it neither tracks nor checks
that property: its other answers about it prove nothing either way. Without a drift detection (disabled, or
the stack's status does not allow it, or the endpoint lacks it) there is no such evidence and the mismatch is
a failure. Should an endpoint ever break condition 4's premise, the cost is an "unsupported" shown where a
"fail" was due, never a pass.

"unsupported" is also used, with its own reason, for what this verifier cannot evaluate: template values it
cannot resolve (Fn::If, Fn::ImportValue, ...), resources or outputs under a Condition that are not deployed,
metric-math alarms, and resources that drift detection did not check.

Where the checks live (all pure functions in this package)
-----------------------------------------------------------
checks.py (the check and its counts), resources.py (what every resource check shares, the endpoint-gap rule
above, types without own checks), tables.py, cloudwatch.py (alarms, log groups), outputs.py, undeclared.py
(what the stack holds beyond the template), stack_checks.py (stack status, drift), check_text.py (plain text
lines). This file runs them in report order.
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.cloudwatch import alarm_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.cloudwatch import log_group_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.outputs import output_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import DeployedStack
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import conditional_not_deployed
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.resources import other_resource_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.stack_checks import drift_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.stack_checks import stack_status_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.tables import table_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.undeclared import undeclared_export_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.undeclared import undeclared_output_checks
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.undeclared import undeclared_resource_checks


RESOURCE_CHECKS = {
    DYNAMODB_TABLE: table_checks,
    CLOUDWATCH_ALARM: alarm_checks,
    LOGS_LOG_GROUP: log_group_checks,
}


def verify_stack(stack_name, template, info, drift=None):
    """Every check, in template order: the stack, each resource, the resources the template does not declare,
    the outputs and exports, those it does not declare, then drift (when it ran)."""
    checks = [stack_status_check(stack_name, info["stack"])]
    if not info["stack"]:
        return checks
    deployed = DeployedStack(info, drift)
    for logical_id, resource in template["Resources"].items():
        resource = resource or {}
        if "Condition" in resource and logical_id not in deployed.resources:
            checks.append(conditional_not_deployed("resource %s" % logical_id, resource))
            continue
        checker = RESOURCE_CHECKS.get(resource.get("Type"), other_resource_checks)
        checks.extend(checker(logical_id, resource, deployed))
    checks.extend(undeclared_resource_checks(stack_name, template, deployed))
    checks.extend(output_checks(template, deployed))
    checks.extend(undeclared_output_checks(stack_name, template, deployed))
    checks.extend(undeclared_export_checks(stack_name, template, deployed))
    checks.extend(drift_checks(stack_name, deployed))
    return checks
