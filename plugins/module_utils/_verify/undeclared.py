# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the stack holds and the template does not declare: resources, outputs and exports.

Each fails, because a deploy of this template would remove it (or the stack came from another declaration); one
pass per kind says that there is none, and an unsupported one that this verifier cannot tell (a Transform, an export
name it cannot resolve).
"""

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import CLOUDWATCH_ALARM
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import DYNAMODB_TABLE
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.resource_types import LOGS_LOG_GROUP
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.intrinsics import try_resolve
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import FAIL
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import NOT_IN_STACK
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import PASS
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import UNSUPPORTED
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.checks import make_check
from ansible_collections.aichef.dynamodb.plugins.module_utils._verify.outputs import output_text


UNDECLARED = " is in the stack but not declared"
UNDECLARED_RESOURCE_REASON = ("the template does not declare logical id %s: the stack was deployed from another "
                              "declaration, or this one dropped it (a deploy of it would remove the resource from "
                              "the stack)")
UNDECLARED_KINDS = {DYNAMODB_TABLE: "table", CLOUDWATCH_ALARM: "alarm", LOGS_LOG_GROUP: "log group"}


def undeclared_resource_label(resource):
    """"table ai-chef-extra (AiChefExtraTable)" for the types with a name, else "resource Id (Type)"."""
    logical_id, resource_type = resource["logical_resource_id"], resource.get("resource_type")
    physical_id = resource.get("physical_resource_id")
    if resource_type in UNDECLARED_KINDS and physical_id:
        return "%s %s (%s)" % (UNDECLARED_KINDS[resource_type], physical_id, logical_id)
    return "resource %s (%s)" % (logical_id, resource_type)


def undeclared_resource_checks(stack_name, template, deployed):
    """One failed check per live resource whose logical id the template does not declare; one pass if none."""
    all_declared = "stack %s: resources all declared" % stack_name
    if template.get("Transform"):
        return [make_check(all_declared, UNSUPPORTED, "only the declared logical ids", "not compared",
                           "the template has a Transform (%s): the stack's logical ids come from its expansion, "
                           "which this verifier does not do" % output_text(template["Transform"]))]
    declared = template.get("Resources") or {}
    checks = []
    for logical_id, resource in deployed.resources.items():
        if logical_id in declared or resource.get("resource_status") == "DELETE_COMPLETE":
            continue
        # The label names a table, alarm or log group by its physical id, any other resource by its type.
        label = undeclared_resource_label(resource)
        actual = resource.get("resource_status")
        if label.startswith("resource ") and resource.get("physical_resource_id"):
            actual = "%s %s" % (actual, resource["physical_resource_id"])
        checks.append(make_check(label + UNDECLARED, FAIL, NOT_IN_STACK, actual,
                                 UNDECLARED_RESOURCE_REASON % logical_id))
    return checks or [make_check(all_declared, PASS, "none undeclared", "none undeclared")]


def undeclared_output_checks(stack_name, template, deployed):
    """One failed check per live output that the template's Outputs do not declare; one pass if none."""
    declared = template.get("Outputs") or {}
    checks = [make_check("output %s%s" % (key, UNDECLARED), FAIL, NOT_IN_STACK, value,
                         "the template's Outputs do not declare %s" % key)
              for key, value in sorted((deployed.stack.get("outputs") or {}).items()) if key not in declared]
    return checks or [make_check("stack %s: outputs all declared" % stack_name, PASS, "none undeclared",
                                 "none undeclared")]


def declared_export_names(template, context):
    """(set of the export names the template declares, resolved for this stack, None) or (None, what could not
    be resolved)."""
    names = set()
    for key, output in sorted((template.get("Outputs") or {}).items()):
        export = output.get("Export") if isinstance(output, dict) else None
        if not export:
            continue
        name, error = try_resolve(export.get("Name") if isinstance(export, dict) else export, context)
        if error or not isinstance(name, str):
            return None, "%s in the export name of output %s" % (error or repr(name), key)
        names.add(name)
    return names, None


def undeclared_export_checks(stack_name, template, deployed):
    """One failed check per export of this stack (ListExports) whose name the template does not declare; one
    pass if none; unsupported when a declared export name cannot be resolved."""
    label = "stack %s: exports all declared" % stack_name
    declared, error = declared_export_names(template, deployed.context)
    if error:
        return [make_check(label, UNSUPPORTED, "only the declared export names", "not compared",
                           "this verifier cannot resolve %s, so it cannot tell which exports are declared" % error)]
    exports = sorted((export.get("name"), export.get("value")) for export in deployed.stack.get("exports") or [])
    checks = [make_check("export %s%s" % (name, UNDECLARED), FAIL, "not listed", value,
                         "ListExports lists it for this stack, and no output of the template exports that name")
              for name, value in exports if name not in declared]
    return checks or [make_check(label, PASS, "none undeclared", "none undeclared")]
