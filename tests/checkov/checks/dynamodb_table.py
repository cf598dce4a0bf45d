"""checkov checks for two controls every DynamoDB table should have and checkov's CloudFormation checks lack:
deletion protection, and encryption at rest with a KMS key. Loaded through external-checks-dir in .checkov.yml.

DeletionPolicy and UpdateReplacePolicy cannot be checked here: checkov 3.3.30 hands CloudFormation checks the
Type and Properties of a resource only. tests/unit/plugins/module_utils/test_render.py checks them instead.
"""
from checkov.cloudformation.checks.resource.base_resource_value_check import BaseResourceValueCheck
from checkov.common.models.enums import CheckCategories

TABLE = ["AWS::DynamoDB::Table"]


class DynamoDBDeletionProtection(BaseResourceValueCheck):
    """DeleteTable (a person, a script) fails while deletion protection is on."""

    def __init__(self):
        super().__init__(name="Ensure DynamoDB tables have deletion protection enabled", id="CKV_AICHEF_1",
                         categories=[CheckCategories.BACKUP_AND_RECOVERY], supported_resources=TABLE)

    def get_inspected_key(self):
        return "Properties/DeletionProtectionEnabled"


class DynamoDBEncryptedWithKms(BaseResourceValueCheck):
    """SSEEnabled puts the table key in KMS (AWS managed aws/dynamodb, or KMSMasterKeyId): every use of it is
    logged in CloudTrail, unlike the default AWS owned key."""

    def __init__(self):
        super().__init__(name="Ensure DynamoDB tables are encrypted at rest with a KMS key (SSESpecification)",
                         id="CKV_AICHEF_2", categories=[CheckCategories.ENCRYPTION], supported_resources=TABLE)

    def get_inspected_key(self):
        return "Properties/SSESpecification/SSEEnabled"


check_deletion_protection = DynamoDBDeletionProtection()
check_kms = DynamoDBEncryptedWithKms()
