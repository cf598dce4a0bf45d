"""The team's reference template (files/dynamodb-schema.yaml) and the literal table names it declares."""
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCHEMA_PATH = os.path.join(ROOT, "files", "dynamodb-schema.yaml")

with open(SCHEMA_PATH) as _f:
    TEAM_TEMPLATE = _f.read()

TEAM_TABLES = ["ai-chef-sessions", "ai-chef-results"]  # in template order
