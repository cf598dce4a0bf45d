#!/usr/bin/env python
"""A strict-AWS loopback proxy in front of the emulator: it refuses, as AWS does, what the emulator lets through.

The embedded emulator (ministack) is more lenient than AWS in a few places (docs/emulator-gaps.md lists them). This
proxy sits between every client of the tests (playbooks, modules, boto3) and the emulator, and answers those requests
itself, with HTTP 400 and the service's own error in its own protocol, so that a test fails where AWS would:

    CloudFormation (AWS query protocol, <ErrorResponse>):
      1. TemplateBody over 51,200 bytes (CreateStack, UpdateStack, CreateChangeSet, ValidateTemplate); a TemplateURL
         object over 1 MB (read from the emulator's S3)                                   -> ValidationError
      2. UpdateStack / CreateChangeSet on an existing stack: per AWS::DynamoDB::Table (same logical id) more than one
         GSI created or deleted, a GSI whose key schema, projection or key attribute type changes under its name, a
         custom-named table that needs replacing (key schema or key type change)            -> ValidationError
      3. UpdateStack / CreateChangeSet(UPDATE) on a stack in a state that cannot be updated -> ValidationError;
         CreateStack (or CreateChangeSet CREATE) on a name that exists                      -> AlreadyExistsException /
                                                                                                ValidationError
      4. AWS::Logs::LogGroup RetentionInDays outside the allowed values                      -> ValidationError
      5. Stack tags with a key starting with "aws:"                                          -> ValidationError
    CloudWatch Logs (JSON 1.1): PutRetentionPolicy outside the allowed values                -> InvalidParameterException
    DynamoDB (JSON 1.0): UpdateTable with more than one GSI Create/Delete                    -> LimitExceededException

Each rule is a pure function (request parameters in; None or (status, code, message) out) that names the AWS page it
comes from. Everything else is forwarded untouched: headers (Host included), bodies, chunked uploads (forwarded
chunked), and responses streamed back as they arrive. Only CloudFormation requests of the actions above and the two
JSON targets are parsed. Standard library only, plus PyYAML (when importable) for YAML templates. Each refusal is
logged to stderr in one line.

    .venv/bin/python scripts/strict_proxy.py --upstream 5566 --port 4566
"""
import argparse
import http.client
import http.server
import json
import re
import socket
import sys
import threading
import urllib.parse
import uuid
from xml.etree import ElementTree
from xml.sax.saxutils import escape

try:
    import yaml
except ImportError:  # JSON templates are still checked
    yaml = None

# --- AWS limits and wording -------------------------------------------------------------------------------------
# CloudFormation quotas page (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
# "Template body size in a request: 51,200 bytes"; "Template body size in an Amazon S3 object: 1 MB".
TEMPLATE_BODY_MAX_BYTES = 51200
TEMPLATE_URL_MAX_BYTES = 1000000  # as AWS (and cfn-lint E1002) enforce it, not 1 MiB
TEMPLATE_ACTIONS = ("CreateStack", "UpdateStack", "CreateChangeSet", "ValidateTemplate")
# CloudWatch Logs API reference, PutRetentionPolicy, and AWS::Logs::LogGroup RetentionInDays: the allowed values.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                  3653)
# CloudFormation "Stack status codes" and the UpdateStack API reference: a stack can be updated from CREATE_COMPLETE,
# UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, IMPORT_COMPLETE, IMPORT_ROLLBACK_COMPLETE; these states refuse it.
NOT_UPDATABLE = frozenset(["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "UPDATE_ROLLBACK_FAILED",
                           "DELETE_FAILED"])
DYNAMODB_TABLE = "AWS::DynamoDB::Table"
LOG_GROUP = "AWS::Logs::LogGroup"
CFN_NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
DYNAMODB_ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"
# Request headers that belong to one hop (the proxy frames the body itself), and response headers likewise.
REQUEST_HOP_BY_HOP = frozenset(["connection", "keep-alive", "proxy-connection", "te", "upgrade", "expect",
                                "content-length", "transfer-encoding"])
RESPONSE_HOP_BY_HOP = frozenset(["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                                 "transfer-encoding"])
CREDENTIAL_SCOPE = re.compile(r"(Credential=[^/,]+/[^/,]+/([^/,]+)/)([^/,]+)(/aws4_request)")
# Virtual-hosted S3 addresses: https://<bucket>.s3[.-<region>].amazonaws.com/<key>
S3_VIRTUAL_HOST = re.compile(r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")
BLOCK = 65536


def refusal(code, message, status=400):
    return (status, code, message)


# --- CloudFormation rules ---------------------------------------------------------------------------------------
def template_body_size(action, params):
    """Rule 1a. CloudFormation quotas page ("Template body size in a request", 51,200 bytes), enforced by the API's
    request validation with its usual length message (wording as reported by users of CreateStack/ValidateTemplate,
    e.g. github.com/mbailey/bash-my-aws/pull/100, github.com/mapbox/cfn-config/issues/16). The value is echoed."""
    body = params.get("TemplateBody")
    if action not in TEMPLATE_ACTIONS or not body:
        return None
    if len(body.encode("utf-8")) <= TEMPLATE_BODY_MAX_BYTES:
        return None
    return refusal("ValidationError", "1 validation error detected: Value '%s' at 'templateBody' failed to satisfy "
                   "constraint: Member must have length less than or equal to %d" % (body, TEMPLATE_BODY_MAX_BYTES))


def template_url_size(size):
    """Rule 1b. CloudFormation quotas page ("Template body size in an Amazon S3 object", 1 MB). AWS's sentence for an
    S3 template over the limit (reported when the limit was 460,800 bytes, e.g.
    github.com/amazon-archives/aws-security-benchmark/issues/2): "Template may not exceed <limit> bytes in size."."""
    if size is None or size <= TEMPLATE_URL_MAX_BYTES:
        return None
    return refusal("ValidationError", "Template may not exceed %d bytes in size." % TEMPLATE_URL_MAX_BYTES)


def stack_tags(params):
    """Rule 5. CloudFormation API reference, Tag: "Key ... can't start with aws:"; AWS's answer to CreateStack with
    such a key (github.com/aws-quickstart/quickstart-amazon-eks/issues/42): ValidationError "aws: prefixed tag key
    names are not allowed for external use."."""
    for key in member_values(params, "Tags", "Key"):
        if key.lower().startswith("aws:"):
            return refusal("ValidationError", "aws: prefixed tag key names are not allowed for external use.")
    return None


def stack_status(action, params, stack):
    """Rule 3. stack: {"StackId", "StackStatus"} of the stack the request names, or None when there is none.

    UpdateStack API reference and "Stack status codes": a stack in ROLLBACK_COMPLETE, *_FAILED or *_IN_PROGRESS
    cannot be updated; AWS answers "Stack:<arn> is in <STATUS> state and can not be updated." (as quoted in
    github.com/cfn-sphere/cfn-sphere/issues/28). CreateStack on a name that exists: AlreadyExistsException
    "Stack [<name>] already exists"; CreateChangeSet of type CREATE on such a name: ValidationError "Stack [<name>]
    already exists and cannot be created again with the changeSet [<change set>].". REVIEW_IN_PROGRESS is the state
    of a stack made by a CREATE change set: it takes another CREATE change set, not an update."""
    if stack is None or stack.get("StackStatus") == "DELETE_COMPLETE":
        return None
    status = stack.get("StackStatus", "")
    name = params.get("StackName", "")
    change_set_type = params.get("ChangeSetType") or "UPDATE"
    if action == "CreateStack":
        return refusal("AlreadyExistsException", "Stack [%s] already exists" % name)
    if action == "CreateChangeSet" and change_set_type == "CREATE":
        if status == "REVIEW_IN_PROGRESS":
            return None
        return refusal("ValidationError", "Stack [%s] already exists and cannot be created again with the changeSet "
                       "[%s]." % (name, params.get("ChangeSetName", "")))
    if action in ("UpdateStack", "CreateChangeSet") and (status in NOT_UPDATABLE or status.endswith("_IN_PROGRESS")):
        return refusal("ValidationError", "Stack:%s is in %s state and can not be updated." % (
            stack.get("StackId", name), status))
    return None


def log_retention_in_template(template):
    """Rule 4 (CloudFormation). AWS::Logs::LogGroup RetentionInDays allows the values of RETENTION_DAYS only
    (CloudFormation user guide, AWS::Logs::LogGroup). AWS fails the resource during the operation with the resource
    schema's message (github.com/aws-cloudformation/aws-cloudformation-resource-providers-logs/issues/94); the proxy
    refuses the call up front with that message. Literal values only."""
    for logical_id, resource in resources(template).items():
        if resource.get("Type") != LOG_GROUP:
            continue
        value = (resource.get("Properties") or {}).get("RetentionInDays")
        if value is None or not is_literal(value):
            continue
        if not valid_retention(value):
            return refusal("ValidationError", "Properties validation failed for resource %s with message: "
                           "#/RetentionInDays: failed validation constraint for keyword [enum]" % logical_id)
    return None


def table_changes(old_template, new_template):
    """Rule 2. Compare each AWS::DynamoDB::Table of the deployed template with the new one (same logical id).

    CloudFormation user guide, AWS::DynamoDB::Table, GlobalSecondaryIndexes: "You can delete or add one global
    secondary index without interruption. If you do both in the same update (for example, by changing the index's
    logical ID), the update fails." AWS's sentence: "Cannot perform more than one GSI creation or deletion in a
    single update" (github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/881). A GSI's other
    properties cannot change under its name: "Cannot update GSI's properties other than Provisioned Throughput and
    Contributor Insights Specification. You can create a new GSI with a different name."
    (github.com/aws-amplify/amplify-cli/issues/11384). KeySchema and the type of a key attribute
    (AttributeDefinitions) are "Update requires: Replacement"; with a TableName AWS refuses: "CloudFormation cannot
    update a stack when a custom-named resource requires replacing. Rename <name> and update the stack again."
    (github.com/serverless/serverless/issues/716). AWS fails the resource during the update; the proxy answers 400 up
    front. Only literal values are compared; what uses intrinsic functions is skipped."""
    old_resources = resources(old_template)
    for logical_id, new in resources(new_template).items():
        old = old_resources.get(logical_id)
        if new.get("Type") != DYNAMODB_TABLE or not old or old.get("Type") != DYNAMODB_TABLE:
            continue
        found = table_change(old.get("Properties") or {}, new.get("Properties") or {})
        if found:
            return found
    return None


def table_change(old, new):
    old_types, new_types = attribute_types(old), attribute_types(new)
    old_name, new_name = old.get("TableName"), new.get("TableName")
    old_keys, new_keys = key_schema(old.get("KeySchema")), key_schema(new.get("KeySchema"))
    replaced = old_keys is not None and new_keys is not None and old_keys != new_keys
    if not replaced and new_keys:
        replaced = type_changed([name for name, dummy in new_keys], old_types, new_types)
    if replaced:
        if isinstance(new_name, str) and new_name == old_name:
            return refusal("ValidationError", "CloudFormation cannot update a stack when a custom-named resource "
                           "requires replacing. Rename %s and update the stack again." % new_name)
        return None  # a replaced table is created whole: the GSI rules do not apply
    if not (is_literal(old_name) and is_literal(new_name)) or old_name != new_name:
        return None
    old_gsis, new_gsis = indexes(old.get("GlobalSecondaryIndexes")), indexes(new.get("GlobalSecondaryIndexes"))
    if old_gsis is None or new_gsis is None:
        return None
    created, deleted = set(new_gsis) - set(old_gsis), set(old_gsis) - set(new_gsis)
    if len(created) + len(deleted) > 1:
        return refusal("ValidationError", "Cannot perform more than one GSI creation or deletion in a single update")
    for name in sorted(set(old_gsis) & set(new_gsis)):
        before, after = old_gsis[name], new_gsis[name]
        keys_before, keys_after = key_schema(before.get("KeySchema")), key_schema(after.get("KeySchema"))
        changed = keys_before is not None and keys_after is not None and keys_before != keys_after
        projection_before, projection_after = projection(before.get("Projection")), projection(after.get("Projection"))
        changed = changed or (projection_before is not None and projection_after is not None
                              and projection_before != projection_after)
        changed = changed or bool(keys_after and type_changed([key for key, dummy in keys_after], old_types, new_types))
        if changed:
            return refusal("ValidationError", "Cannot update GSI's properties other than Provisioned Throughput and "
                           "Contributor Insights Specification. You can create a new GSI with a different name.")
    return None


# --- CloudWatch Logs and DynamoDB rules ---------------------------------------------------------------------------
def put_retention_policy(payload):
    """Rule 4 (Logs). CloudWatch Logs API reference, PutRetentionPolicy: retentionInDays "Valid Values: 1 | 3 | 5 |
    ... | 3653"; the API's enum validation answers InvalidParameterException "1 validation error detected: Value
    '<n>' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [...]"."""
    value = payload.get("retentionInDays")
    if value is None or valid_retention(value):
        return None
    return refusal("InvalidParameterException", "1 validation error detected: Value '%s' at 'retentionInDays' failed "
                   "to satisfy constraint: Member must satisfy enum value set: [%s]" % (
                       value, ", ".join(str(days) for days in RETENTION_DAYS)))


def update_table_gsi_actions(payload):
    """Rule 6. DynamoDB API reference, UpdateTable, GlobalSecondaryIndexUpdates: "You can create or delete only one
    global secondary index per UpdateTable operation." Measured on AWS, [Create, Create], [Create, Delete] and
    [Delete, Delete] in one call all answer HTTP 400 LimitExceededException "Subscriber limit exceeded: Only 1 online
    index can be created or deleted simultaneously per table" (a live-probe catalogue of the ACK DynamoDB controller,
    DDB-TABLE-159; also github.com/architect/architect/issues/268, github.com/taoensso/faraday/issues/80). It is not
    a ValidationException: AWS uses the same code as for a second index while one is still being built."""
    updates = payload.get("GlobalSecondaryIndexUpdates") or []
    actions = [update for update in updates if isinstance(update, dict) and ("Create" in update or "Delete" in update)]
    if len(actions) <= 1:
        return None
    return refusal("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or "
                   "deleted simultaneously per table")


# --- helpers (pure) ---------------------------------------------------------------------------------------------
def valid_retention(value):
    try:
        return int(str(value)) in RETENTION_DAYS
    except ValueError:
        return False


def member_values(params, name, field):
    """Values of a query-protocol list of structures: Tags.member.1.Key, Tags.member.2.Key, ..."""
    prefix = name + ".member."
    found = []
    for key, value in params.items():
        if key.startswith(prefix) and key.endswith("." + field):
            index = key[len(prefix):-len(field) - 1]
            if index.isdigit():
                found.append((int(index), value))
    return [value for index, value in sorted(found)]


def query_params(body):
    """The single-valued parameters of an AWS query-protocol body."""
    return dict((key, values[0]) for key, values in
                urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items())


def is_literal(value):
    """True unless value holds an intrinsic function ({"Ref": ...}, {"Fn::...": ...}, {"Condition": ...})."""
    if isinstance(value, dict):
        if len(value) == 1:
            key = next(iter(value))
            if key in ("Ref", "Condition") or str(key).startswith("Fn::"):
                return False
        return all(is_literal(item) for item in value.values())
    if isinstance(value, list):
        return all(is_literal(item) for item in value)
    return True


def resources(template):
    found = template.get("Resources") if isinstance(template, dict) else None
    return dict((key, value) for key, value in found.items() if isinstance(value, dict)) \
        if isinstance(found, dict) else {}


def attribute_types(properties):
    """{attribute name: type} of the literal AttributeDefinitions."""
    definitions = properties.get("AttributeDefinitions")
    if not isinstance(definitions, list) or not is_literal(definitions):
        return {}
    return dict((item.get("AttributeName"), item.get("AttributeType")) for item in definitions
                if isinstance(item, dict))


def key_schema(value):
    """[(attribute, key type), ...] of a literal KeySchema; None when it is absent or uses intrinsics."""
    if not isinstance(value, list) or not is_literal(value):
        return None
    return [(item.get("AttributeName"), item.get("KeyType")) for item in value if isinstance(item, dict)]


def projection(value):
    if not isinstance(value, dict) or not is_literal(value):
        return None
    return (value.get("ProjectionType", "ALL"), sorted(str(item) for item in value.get("NonKeyAttributes") or []))


def indexes(value):
    """{IndexName: index} of a literal GSI list ({} when absent); None when the list or a name uses intrinsics."""
    if value is None:
        return {}
    if not isinstance(value, list):
        return None
    found = {}
    for index in value:
        if not isinstance(index, dict) or not isinstance(index.get("IndexName"), str):
            return None
        found[index["IndexName"]] = index
    return found


def type_changed(attributes, old_types, new_types):
    return any(old_types.get(name) and new_types.get(name) and old_types[name] != new_types[name]
               for name in attributes)


if yaml is not None:
    class TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        """SafeLoader that reads CloudFormation's short forms (!Ref x, !GetAtt a.b, !Sub ...) as their long forms."""

    def construct_intrinsic(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {"Fn::" + suffix: value}

    TemplateLoader.add_multi_constructor("!", construct_intrinsic)


def parse_template(text):
    """The template as a dict, or None when it is neither JSON nor YAML (the emulator then answers)."""
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        if yaml is None:
            return None
        try:
            parsed = yaml.load(text, Loader=TemplateLoader)  # nosec B506: a SafeLoader subclass
        except yaml.YAMLError:
            return None
    return parsed if isinstance(parsed, dict) else None


def s3_location(url):
    """(bucket, key) of a TemplateURL: path style (http://127.0.0.1:<port>/<bucket>/<key>,
    https://s3.<region>.amazonaws.com/<bucket>/<key>) or virtual-hosted (https://<bucket>.s3[.<region>].amazonaws.com
    /<key>); None when it names no object."""
    parsed = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(parsed.path).lstrip("/")
    match = S3_VIRTUAL_HOST.match(parsed.hostname or "")
    if match:
        return (match.group("bucket"), path) if path else None
    bucket, dummy, key = path.partition("/")
    return (bucket, key) if bucket and key else None


def query_error(code, message, request_id):
    error_type = "Sender"
    return ("<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>%s</RequestId></ErrorResponse>" % (CFN_NAMESPACE, error_type, code, escape(message),
                                                           request_id)).encode("utf-8")


def xml_text(payload, tag):
    """The text of the first element named tag (any namespace) in an XML answer, or None."""
    try:
        root = ElementTree.fromstring(payload)
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == tag:
            return element.text or ""
    return None


# --- the proxy ----------------------------------------------------------------------------------------------------
class Request:
    """One request as read from the client: method, path, header pairs, and the body (bytes), or None for a chunked
    body that is streamed to the emulator as it arrives."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body

    def header(self, name, default=""):
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return default


class StrictProxy:
    """Listen on 127.0.0.1:port (0: a free port) and forward to the emulator on 127.0.0.1:upstream_port, refusing
    what AWS refuses. `refusals` lists (operation, code, message) of every refusal, in order."""

    def __init__(self, upstream_port, port=0, upstream_timeout=300, log=sys.stderr):
        self.upstream_port = upstream_port
        self.upstream_timeout = upstream_timeout
        self.log = log
        self.refusals = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: with Nagle on, the body waits for the client's delayed ACK.
            disable_nagle_algorithm = True
            upstream = None

            def log_message(self, *args):
                pass

            def handle_one_request(self):
                try:
                    super().handle_one_request()
                finally:
                    if self.close_connection and self.upstream is not None:
                        self.upstream.close()
                        self.upstream = None

            def do_any(self):
                proxy.handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_any

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                pass  # a client that hung up is not an error here

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- per request ------------------------------------------------------------------------------------------
    def handle(self, handler):
        headers = list(handler.headers.items())
        chunked = "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower()
        body = None if chunked else handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        request = Request(handler.command, handler.path, headers, body)
        found = None if chunked else self.check(handler, request)
        if found:
            operation, (status, code, message) = found
            self.refuse(handler, request, operation, status, code, message)
            return
        try:
            self.forward(handler, request)
        except (OSError, http.client.HTTPException) as error:
            handler.close_connection = True
            if not getattr(handler, "response_started", False):
                self.reply(handler, 502, [("Content-Type", "text/plain")],
                           ("strict proxy: emulator unreachable: %s" % error).encode())

    def check(self, handler, request):
        """(operation, refusal) when a rule refuses the request, else None."""
        target = request.header("X-Amz-Target")
        found = None
        if target == "DynamoDB_20120810.UpdateTable":
            found = update_table_gsi_actions(json_body(request.body))
        elif target == "Logs_20140328.PutRetentionPolicy":
            found = put_retention_policy(json_body(request.body))
        if found:
            return target.split(".")[-1], found
        if target or request.method != "POST" or b"Action=" not in request.body:
            return None
        match = CREDENTIAL_SCOPE.search(request.header("Authorization"))
        if match and match.group(3) != "cloudformation":
            return None
        params = query_params(request.body)
        action = params.get("Action")
        if action not in TEMPLATE_ACTIONS:
            return None
        found = self.cloudformation_refusal(handler, request, action, params)
        return (action, found) if found else None

    def cloudformation_refusal(self, handler, request, action, params):
        found = template_body_size(action, params)
        if found:
            return found
        new_text = params.get("TemplateBody")
        if not new_text and params.get("TemplateURL"):
            size, new_text = self.template_object(handler, request, params["TemplateURL"])
            found = template_url_size(size)
            if found:
                return found
        if action == "ValidateTemplate":
            return None
        found = stack_tags(params)
        if found:
            return found
        stack = self.describe_stack(handler, request, params.get("StackName"))
        found = stack_status(action, params, stack)
        if found:
            return found
        new_template = parse_template(new_text)
        found = log_retention_in_template(new_template) if new_template else None
        if found:
            return found
        # AWS creates a change set of such an update (the preview shows Replacement False for an index change) and
        # fails when it runs: only the update itself is refused, as AWS's UpdateTable refuses it.
        if action == "UpdateStack" and stack and new_template:
            old_template = parse_template(self.current_template(handler, request, stack.get("StackId")))
            if old_template:
                return table_changes(old_template, new_template)
        return None

    def refuse(self, handler, request, operation, status, code, message):
        request_id = str(uuid.uuid4())
        with self.lock:
            self.refusals.append((operation, code, message))
        shown = message if len(message) <= 300 else message[:150] + "...(%d chars)..." % len(message) + message[-100:]
        self.log.write("strict-proxy: refused %s: %d %s: %s\n" % (operation, status, code, shown.replace("\n", " ")))
        self.log.flush()
        target = request.header("X-Amz-Target")
        if target:
            error_type = (DYNAMODB_ERROR_PREFIX if target.startswith("DynamoDB_") else "") + code
            content_type = "application/x-amz-json-1.0" if target.startswith("DynamoDB_") \
                else "application/x-amz-json-1.1"
            payload = json.dumps({"__type": error_type, "message": message}).encode("utf-8")
        else:
            content_type, payload = "text/xml", query_error(code, message, request_id)
        self.reply(handler, status, [("Content-Type", content_type), ("x-amzn-RequestId", request_id)], payload)

    @staticmethod
    def reply(handler, status, headers, payload):
        handler.send_response_only(status)
        for key, value in headers:
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)
        handler.wfile.flush()

    # --- upstream -----------------------------------------------------------------------------------------------
    def connection(self, handler, fresh=False):
        """The handler's keep-alive connection to the emulator (one per client connection)."""
        if fresh and handler.upstream is not None:
            handler.upstream.close()
            handler.upstream = None
        if handler.upstream is None:
            handler.upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port,
                                                          timeout=self.upstream_timeout)
            handler.upstream.connect()
            handler.upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return handler.upstream

    def send(self, handler, request, chunks=None):
        """Send request upstream and return the response; a reused connection the emulator closed meanwhile is
        opened again once (not for a streamed body, which cannot be sent twice)."""
        for attempt in (0, 1):
            reused = handler.upstream is not None
            upstream = self.connection(handler, fresh=attempt == 1)
            try:
                upstream.putrequest(request.method, request.path, skip_host=True, skip_accept_encoding=True)
                for key, value in request.headers:
                    if key.lower() not in REQUEST_HOP_BY_HOP:
                        upstream.putheader(key, value)
                if chunks is None:
                    if request.body or request.header("Content-Length") or request.method in ("POST", "PUT"):
                        upstream.putheader("Content-Length", str(len(request.body or b"")))
                    upstream.endheaders(request.body or None)
                else:
                    upstream.putheader("Transfer-Encoding", "chunked")
                    upstream.endheaders()
                    for chunk in chunks:
                        upstream.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    upstream.send(b"0\r\n\r\n")
                return upstream.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                handler.upstream.close()
                handler.upstream = None
                if attempt or not reused or chunks is not None:
                    raise
        raise AssertionError("unreachable")

    def forward(self, handler, request):
        """Forward request and stream the emulator's answer back as it arrives."""
        chunks = read_chunks(handler.rfile) if request.body is None else None
        response = self.send(handler, request, chunks)
        handler.send_response_only(response.status, response.reason)
        handler.response_started = True
        headers = [(key, value) for key, value in response.getheaders() if key.lower() not in RESPONSE_HOP_BY_HOP]
        has_length = any(key.lower() == "content-length" for key, value in headers)
        bodiless = request.method == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200
        for key, value in headers:
            handler.send_header(key, value)
        if not has_length and not bodiless:
            handler.send_header("Transfer-Encoding", "chunked")
        if response.will_close:
            handler.close_connection = True
        handler.end_headers()
        if bodiless:
            response.read()
        elif has_length:
            while True:
                block = response.read(BLOCK)
                if not block:
                    break
                handler.wfile.write(block)
        else:
            while True:
                block = response.read1(BLOCK) if hasattr(response, "read1") else response.read(BLOCK)
                if not block:
                    break
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
        handler.response_started = False
        if response.will_close and handler.upstream is not None:
            handler.upstream.close()
            handler.upstream = None

    def call(self, handler, method, path, headers, body=b""):
        """(status, payload) of a request the proxy makes itself on the handler's emulator connection."""
        response = self.send(handler, Request(method, path, headers, body))
        payload = response.read()
        if response.will_close:
            handler.upstream.close()
            handler.upstream = None
        return response.status, payload

    def cloudformation_call(self, handler, request, params):
        headers = [(key, value) for key, value in request.headers
                   if key.lower() in ("host", "authorization", "x-amz-date", "x-amz-security-token")]
        headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"))
        body = urllib.parse.urlencode(dict(params, Version="2010-05-15")).encode()
        return self.call(handler, "POST", "/", headers, body)

    def describe_stack(self, handler, request, name):
        """{"StackId", "StackStatus"} of the live stack named name (or its id), or None."""
        if not name:
            return None
        status, payload = self.cloudformation_call(handler, request, dict(Action="DescribeStacks", StackName=name))
        if status != 200:
            return None
        stack_id, stack_status_ = xml_text(payload, "StackId"), xml_text(payload, "StackStatus")
        return dict(StackId=stack_id, StackStatus=stack_status_) if stack_status_ else None

    def current_template(self, handler, request, stack_id):
        status, payload = self.cloudformation_call(handler, request, dict(
            Action="GetTemplate", StackName=stack_id, TemplateStage="Original"))
        return xml_text(payload, "TemplateBody") if status == 200 else None

    def template_object(self, handler, request, url):
        """(size in bytes, text) of the S3 object a TemplateURL names, read from the emulator's S3; (None, None)
        when it cannot be read (the emulator then answers the request itself)."""
        location = s3_location(url)
        if not location:
            return None, None
        path = "/%s/%s" % (urllib.parse.quote(location[0]), urllib.parse.quote(location[1]))
        headers = [("Host", request.header("Host") or "127.0.0.1")]
        authorization = CREDENTIAL_SCOPE.sub(lambda match: match.group(1) + "s3" + match.group(4),
                                             request.header("Authorization"))
        if authorization:
            headers += [("Authorization", authorization), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                        ("X-Amz-Date", request.header("X-Amz-Date"))]
        status, payload = self.call(handler, "GET", path, headers)
        if status != 200:
            return None, None
        return len(payload), payload.decode("utf-8", "replace")


def json_body(body):
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def read_chunks(stream):
    """The data of a chunked request body, chunk by chunk (trailers are read and dropped)."""
    while True:
        line = stream.readline(65537)
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline(65537) not in (b"\r\n", b"\n", b""):
                pass
            return
        data = stream.read(size)
        stream.readline(65537)
        yield data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", type=int, required=True, help="emulator port on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    args = parser.parse_args(argv)
    proxy = StrictProxy(args.upstream, port=args.port)
    print("strict proxy on http://127.0.0.1:%d -> 127.0.0.1:%d" % (proxy.port, args.upstream), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    proxy.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
