# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin DynamoDB wrappers: one API call each, retried, absence returned as data."""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing SDK

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.aichef.dynamodb.plugins.module_utils.common import DynamoDBError


def describe_table(client, table_name):
    """The Table dict, or None when no such table exists."""
    try:
        return client.describe_table(TableName=table_name, aws_retry=True)["Table"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise DynamoDBError(message="Failed to describe table %s" % table_name, exception=e)


def table_holds_items(client, table_name):
    """True when the table exists and holds at least one item.

    DescribeTable's ItemCount is refreshed only about every six hours, so a freshly written table reads as
    empty there; a one-item scan answers now, for one read unit.
    """
    try:
        response = client.scan(TableName=table_name, Limit=1, Select="COUNT", aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        return False
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        raise DynamoDBError(message="Failed to check whether table %s holds items" % table_name, exception=e)
    return response.get("Count", 0) > 0 or "LastEvaluatedKey" in response
