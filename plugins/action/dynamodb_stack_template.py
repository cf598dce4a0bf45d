# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of aichef.dynamodb.dynamodb_stack_template (documented in plugins/modules/): the role's settings
converted to their declared types, checked against AWS's rules, and the template rendered or read, without any AWS
call. An action plugin, not a module: it needs the role's variables and files on the controller, and it costs no
Python start on the no-op path."""

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

try:
    import yaml
except ImportError:  # ansible-core brings PyYAML to the controller
    yaml = None

from ansible_collections.aichef.dynamodb.plugins.module_utils._template import aws_rules
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.lint import lint_template_body
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import render_template_body
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.render import stack_settings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import format_findings
from ansible_collections.aichef.dynamodb.plugins.module_utils._template.schema_lint import lint_tables


PREFIX = "dynamodb_stack_"
# Role variables (without the prefix) that make up the rendered template's stack-wide settings.
RENDER_SETTINGS = dict(description="description", name_prefix="table_name_prefix", alarm_name_prefix="alarm_name_prefix",
                       alarms="alarms", alarm_period="alarm_period", alarm_evaluation_periods="alarm_evaluation_periods",
                       alarm_topic_arn="alarm_topic_arn", log_group_name="log_group_name",
                       log_retention_days="log_retention_days", table_tags="table_tags")


def plain(value):
    """ansible-core 2.19 hands plugins tagged str/dict/list subclasses; the renderer and yaml.safe_dump want plain."""
    if isinstance(value, dict):
        return dict((str(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def role_argument_spec(role_path):
    with open(os.path.join(role_path, "meta", "argument_specs.yml")) as spec_file:
        return yaml.safe_load(spec_file)["argument_specs"]["main"]["options"]


def converted_settings(spec, raw):
    """(settings by short name, error lines): the role's variables converted to the types argument_specs declares
    (a value given as -e key=value arrives as a string)."""
    result = ArgumentSpecValidator(spec).validate(raw)
    errors = ["%s" % message for message in result.error_messages]
    return dict((name[len(PREFIX):], value) for name, value in result.validated_parameters.items()), errors


def read_template_file(path):
    """A relative path is read from the directory the user runs in, as every command-line tool does."""
    full = os.path.abspath(os.path.expanduser(path))
    try:
        with open(full, "rb") as template_file:
            return template_file.read().decode("utf-8"), None
    except (IOError, OSError) as e:
        return None, "%stemplate_path: cannot read %s (%s); give a path from the current directory %s" % (
            PREFIX, path, e.strerror or e, os.getcwd())
    except UnicodeDecodeError:
        return None, "%stemplate_path: %s is not UTF-8 text" % (PREFIX, path)


def prepare(settings):
    """(template body, errors, warnings) for the converted settings."""
    errors = aws_rules.stack_settings_findings(settings["capabilities"], settings["tags"], PREFIX)
    render_settings = stack_settings(dict((key, settings[name]) for key, name in RENDER_SETTINGS.items()),
                                     settings["name"])
    settings["alarm_name_prefix"] = render_settings["alarm_name_prefix"]
    settings["log_group_name"] = render_settings["log_group_name"]
    if settings["template_path"]:
        body, error = read_template_file(settings["template_path"])
        if error:
            return None, errors + [error], []
        more_errors, warnings = lint_template_body(body, PREFIX + "template_path " + settings["template_path"],
                                                   settings["table_name_prefix"])
        return body, errors + more_errors, warnings
    errors += aws_rules.render_settings_findings(render_settings, PREFIX)
    findings = lint_tables(settings["tables"], settings["table_name_prefix"])
    errors += format_findings([finding for finding in findings if finding["severity"] == "error"])
    warnings = format_findings([finding for finding in findings if finding["severity"] == "warning"])
    if errors:
        return None, errors, warnings
    try:
        body = render_template_body(settings["tables"], render_settings)
    except ValueError as e:
        return None, ["%stables: %s" % (PREFIX, e)], warnings
    more_errors, more_warnings = lint_template_body(body, "the template rendered from %stables" % PREFIX,
                                                    settings["table_name_prefix"])
    return body, more_errors, warnings + [line for line in more_warnings if line not in warnings]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("role_path",))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        role_path = self._task.args.get("role_path") or (self._task._role._role_path if self._task._role else None)
        if not role_path:  # outside a role: this collection's own dynamodb_stack role declares the variables
            role_path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                     "roles", "dynamodb_stack")
        spec = role_argument_spec(role_path)
        raw = dict((name, self._templar.template(task_vars[name])) for name in spec if name in task_vars)
        settings, errors = converted_settings(spec, plain(raw))
        if errors:
            return dict(result, failed=True, msg="\n".join(errors))
        settings = plain(settings)
        # CloudFormation's own timeout of a create, in whole minutes, at least 1 (from the role's wait_timeout).
        settings["create_timeout_minutes"] = max(1, settings["wait_timeout"] // 60)
        # Relative paths are the user's, from the directory the command runs in (not the playbook's).
        if settings.get("verify_report_dir"):
            settings["verify_report_dir"] = os.path.abspath(os.path.expanduser(settings["verify_report_dir"]))
        body, errors, warnings = prepare(settings)
        if warnings:
            result["warnings"] = warnings
        if errors:
            result.update(failed=True, msg="%s; nothing was sent to AWS" % errors[0] if len(errors) == 1 else
                          "%d problems found before any AWS call; nothing was sent to AWS:\n%s"
                          % (len(errors), "\n".join(errors)))
            return result
        size = aws_rules.body_size(body)
        result.update(
            changed=False,
            ansible_facts=dict(__dynamodb_stack_template_body=body, __dynamodb_stack_settings=settings,
                               __dynamodb_stack_template_needs_url=aws_rules.needs_template_url(body),
                               # Public: what the template entry point produced, for playbooks (iam_policies).
                               dynamodb_stack_template=dict(
                                   template_body=body, render_settings=dict(
                                       (key, settings[name]) for key, name in RENDER_SETTINGS.items()))),
            msg="template of %d bytes%s" % (size, ", deployed through S3 (over %d bytes)"
                                            % aws_rules.TEMPLATE_BODY_MAX_BYTES if size > aws_rules.TEMPLATE_BODY_MAX_BYTES
                                            else ""))
        return result
