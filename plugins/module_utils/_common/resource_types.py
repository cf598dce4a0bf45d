# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudFormation resource types this collection renders, reads back, verifies and guards: spelled once."""

DYNAMODB_TABLE = "AWS::DynamoDB::Table"
CLOUDWATCH_ALARM = "AWS::CloudWatch::Alarm"
LOGS_LOG_GROUP = "AWS::Logs::LogGroup"
