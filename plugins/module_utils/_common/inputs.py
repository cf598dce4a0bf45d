# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that must pass before the first AWS call."""

import re

try:
    import botocore.loaders
except ImportError:
    pass  # AnsibleAWSModule reports a missing SDK

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import InputError

# CloudFormation: "must start with an alphabetic character and can't be longer than 128 characters",
# letters, digits and hyphens only.
STACK_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}\Z")  # \Z: "$" would accept a trailing newline


def validate_stack_name(stack_name):
    if not stack_name or not STACK_NAME_PATTERN.match(stack_name):
        raise InputError(message="Invalid stack name %r: CloudFormation needs 1-128 letters, digits or hyphens, "
                                 "starting with a letter" % (stack_name,))


def is_known_region(region):
    """Whether the region is one of botocore's known regions, in any partition (aws, aws-cn, aws-us-gov, ...).

    Read from botocore's partitions.json (7 KB), not from endpoints.json (1.2 MB, ~60 ms to parse on every module
    run, and parsed again by the client). Every region of a partition serves CloudFormation and DynamoDB, the
    services asked about here; "aws-global" and its kind are pseudo-regions, not places to deploy.
    """
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    return any(region in partition.get("regions", {}) and not region.endswith("-global") for partition in partitions)


def validate_region(region, service="cloudformation"):
    if not region:
        raise InputError(message="No AWS region given: set region (or AWS_REGION) for stack operations")
    if not is_known_region(region):
        raise InputError(message="Unknown AWS region %r for %s (a typo? e.g. us-east-1)" % (region, service))
