# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The retry options of every AWS module of this collection (plugins/module_utils/_common/aws.py
    # BACKOFF_ARGUMENT_SPEC and retry_decorator): one place for their documentation too.
    DOCUMENTATION = r"""
options:
  backoff_retries:
    description: Retries of a throttled or failed API call (jittered exponential backoff, amazon.aws AWSRetry).
    type: int
    default: 10
  backoff_delay:
    description: Seconds before the first retry of an API call.
    type: int
    default: 3
  backoff_max_delay:
    description: Largest delay in seconds between retries of an API call.
    type: int
    default: 30
"""
