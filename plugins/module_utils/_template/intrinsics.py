# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve a template value the way CloudFormation did for a deployed stack, from what the stack reports.

Covers what a DynamoDB template uses: Ref (pseudo parameters, parameters, resources), Fn::Sub, Fn::GetAtt
(the attributes the stack's info holds), Fn::Join and Fn::Select. Anything else (Fn::If, Fn::ImportValue, a
Ref to AWS::NoValue, ...) raises Unresolvable: the caller says it could not check, and never guesses.
Pure functions.
"""

import re

SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Unresolvable(ValueError):
    """The value uses something this resolver cannot know; str(e) says what."""


def _arn_parts(stack_id):
    """partition, region, account of arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>."""
    parts = (stack_id or "").split(":")
    if len(parts) < 6:
        return None, None, None
    return parts[1], parts[3], parts[4]


def resolution_context(info):
    """What Ref, Fn::Sub and Fn::GetAtt can resolve to, from gather_stack_info(...)."""
    stack = info["stack"]
    partition, region, account = _arn_parts(stack.get("stack_id"))
    pseudo = {
        "AWS::StackName": stack.get("stack_name"),
        "AWS::StackId": stack.get("stack_id"),
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::Partition": partition,
        "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
    }
    refs = dict((name, value) for name, value in pseudo.items() if value is not None)
    refs.update(stack.get("parameters") or {})
    refs.update((resource["logical_resource_id"], resource["physical_resource_id"])
                for resource in stack.get("resources") or [] if resource.get("physical_resource_id"))
    attributes = {}
    for table in info.get("tables") or []:
        attributes[(table["logical_resource_id"], "Arn")] = table.get("table_arn")
        attributes[(table["logical_resource_id"], "StreamArn")] = table.get("latest_stream_arn")
    for alarm in info.get("alarms") or []:
        attributes[(alarm["logical_resource_id"], "Arn")] = alarm.get("alarm_arn")
    for group in info.get("log_groups") or []:
        attributes[(group["logical_resource_id"], "Arn")] = group.get("arn")
    attributes = dict((key, value) for key, value in attributes.items() if value is not None)
    return dict(refs=refs, attributes=attributes)


def _ref(name, context):
    if name in context["refs"]:
        return context["refs"][name]
    raise Unresolvable("Ref %s" % name)


def _get_att(argument, context):
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2 or not all(isinstance(a, str) for a in argument):
        raise Unresolvable("Fn::GetAtt %r" % (argument,))
    key = (argument[0], argument[1])
    if key in context["attributes"]:
        return context["attributes"][key]
    raise Unresolvable("Fn::GetAtt %s.%s" % key)


def _sub(argument, context):
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        text, variables = argument[0], dict((k, resolve(v, context)) for k, v in argument[1].items())
    else:
        text, variables = argument, {}
    if not isinstance(text, str):
        raise Unresolvable("Fn::Sub %r" % (argument,))

    def replace(match):
        name = match.group(1)
        if name.startswith("!"):  # ${!Literal} is the literal text ${Literal}
            return "${%s}" % name[1:]
        if name in variables:
            return str(variables[name])
        if "." in name:  # ${Logical.Attribute}; parameter and pseudo parameter names hold no dot
            return str(_get_att(name, context))
        return str(_ref(name, context))
    return SUB_VARIABLE.sub(replace, text)


def _join(argument, context):
    if not isinstance(argument, list) or len(argument) != 2 or not isinstance(argument[0], str):
        raise Unresolvable("Fn::Join %r" % (argument,))
    items = resolve(argument[1], context)
    if not isinstance(items, list):
        raise Unresolvable("Fn::Join over %r" % (items,))
    return argument[0].join(str(item) for item in items)


def _select(argument, context):
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolvable("Fn::Select %r" % (argument,))
    items = resolve(argument[1], context)
    try:
        return items[int(resolve(argument[0], context))]
    except (IndexError, TypeError, ValueError):
        raise Unresolvable("Fn::Select %r" % (argument,))


INTRINSIC_FUNCTIONS = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
}


def resolve(value, context):
    """value with every intrinsic function replaced by what it resolved to; raises Unresolvable."""
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    if isinstance(value, dict):
        if len(value) == 1:
            name, argument = next(iter(value.items()))
            if name in INTRINSIC_FUNCTIONS:
                if name == "Ref" and argument == "AWS::NoValue":
                    raise Unresolvable("Ref AWS::NoValue")
                return INTRINSIC_FUNCTIONS[name](argument, context)
            if name.startswith("Fn::") or name == "Condition":
                raise Unresolvable(name)
        return dict((key, resolve(item, context)) for key, item in value.items())
    return value


def try_resolve(value, context):
    """(resolved value, None), or (None, what could not be resolved)."""
    try:
        return resolve(value, context), None
    except Unresolvable as e:
        return None, str(e)
