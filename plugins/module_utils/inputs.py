# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that must pass before the first AWS call."""

import re

try:
    import boto3
except ImportError:
    pass  # AnsibleAWSModule reports a missing SDK

from ansible_collections.aichef.dynamodb.plugins.module_utils.common import InputError

# CloudFormation: "must start with an alphabetic character and can't be longer than 128 characters",
# letters, digits and hyphens only.
STACK_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}\Z")  # \Z: "$" would accept a trailing newline


def validate_stack_name(stack_name):
    if not stack_name or not STACK_NAME_PATTERN.match(stack_name):
        raise InputError(message="Invalid stack name %r: CloudFormation needs 1-128 letters, digits or hyphens, "
                                 "starting with a letter" % (stack_name,))


def known_regions(service):
    """Every region of every partition that botocore knows for the service."""
    session = boto3.session.Session()
    regions = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions(service, partition_name=partition))
    return regions


def validate_region(region, service="cloudformation"):
    if not region:
        raise InputError(message="No AWS region given: set region (or AWS_REGION) for stack operations")
    if region not in known_regions(service):
        raise InputError(message="Unknown AWS region %r for %s (a typo? e.g. us-east-1)" % (region, service))

