# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the module aichef.dynamodb.cloudformation_stack_recovery in the task's worker when the host is this controller, as a
process anywhere else (plugins/plugin_utils/module_in_process.py)."""

from ansible_collections.aichef.dynamodb.plugins.plugin_utils.module_in_process import ModuleAction


class ActionModule(ModuleAction):
    pass
