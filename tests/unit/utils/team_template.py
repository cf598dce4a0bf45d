"""The team's reference template (files/dynamodb-schema.yaml) and the literal table names it declares."""
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCHEMA_PATH = os.path.join(ROOT, "files", "dynamodb-schema.yaml")

with open(SCHEMA_PATH) as _f:
    TEAM_TEMPLATE = _f.read()

TEAM_TABLES = ["ai-chef-sessions", "ai-chef-results"]  # in template order

# The exports of the deployed team stack, (name, value): the four its template declares for the stack ai-chef-dynamodb.
TEAM_EXPORTS = [("ai-chef-dynamodb-%s" % suffix, value) for suffix, value in (
    ("SessionsTable", "ai-chef-sessions"), ("ResultsTable", "ai-chef-results"),
    ("SessionsTableArn", "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-sessions"),
    ("ResultsTableArn", "arn:aws:dynamodb:us-east-1:123456789012:table/ai-chef-results"))]
