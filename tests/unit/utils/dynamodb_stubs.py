"""DynamoDB stub helpers: one per operation, expected_params always set, error_code switches to an error."""
from ansible_collections.aichef.dynamodb.tests.unit.utils.stubber import respond

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/%s"


def stub_describe_table(stubber, table_name, exists=True, error_code=None, error_message=None):
    """exists=False answers as DynamoDB does for a missing table: ResourceNotFoundException."""
    if not exists and not error_code:
        error_code = "ResourceNotFoundException"
        error_message = "Requested resource not found: Table: %s not found" % table_name
    response = {"Table": {"TableName": table_name, "TableStatus": "ACTIVE", "TableArn": TABLE_ARN % table_name,
                          "ItemCount": 0}}
    respond(stubber, "describe_table", response, {"TableName": table_name}, error_code, error_message)


def stub_scan(stubber, table_name, count, last_evaluated_key=None, error_code=None, error_message=None):
    """The one-item COUNT scan that tells whether a table holds items."""
    response = {"Count": count, "ScannedCount": count}
    if last_evaluated_key:
        response["LastEvaluatedKey"] = last_evaluated_key
    respond(stubber, "scan", response, {"TableName": table_name, "Limit": 1, "Select": "COUNT"},
            error_code, error_message)
