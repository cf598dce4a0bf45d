# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of the template's declared Outputs against the stack's outputs and exports.

output_text renders a value the way CloudFormation lists it in Outputs; undeclared.py uses it too.
"""

import json

from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import ABSENT
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import compare
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import unresolvable


def output_text(value):
    """How CloudFormation shows a value in Outputs: lists comma-joined."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict) else str(value)


def output_checks(template, deployed):
    outputs = deployed.stack.get("outputs") or {}
    exports = dict((export.get("name"), export.get("value")) for export in deployed.stack.get("exports") or [])
    checks = []
    for key, output in (template.get("Outputs") or {}).items():
        output = output or {}
        label = "output %s" % key
        if "Condition" in output and key not in outputs:
            checks.append(make_check(label + ": value", UNSUPPORTED, "listed if Condition %s holds"
                                     % output["Condition"], ABSENT, "this verifier does not evaluate Conditions"))
            continue
        value, error = try_resolve(output.get("Value"), deployed.context)
        actual = outputs[key] if key in outputs else ABSENT
        if error:
            checks.append(make_check(label + ": value", PASS if key in outputs else FAIL, "present", actual,
                                     "value not compared: this verifier cannot resolve %s" % error))
            expected_value = outputs.get(key)
        else:
            expected_value = output_text(value)
            checks.append(compare(label + ": value", expected_value, actual))
        if "Export" not in output:
            continue
        export_name, error = try_resolve((output.get("Export") or {}).get("Name"), deployed.context)
        if error:
            checks.append(unresolvable("output %s: export" % key, error))
            continue
        checks.append(compare("export %s: listed" % export_name,
                              expected_value if expected_value is not None else "listed",
                              exports.get(export_name, "not listed by ListExports for this stack")))
    return checks
