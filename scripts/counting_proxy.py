"""Loopback HTTP proxies between the AWS modules and the emulator.

ForwardingProxy forwards every request to the emulator (threaded, one thread per connection, loopback only);
subclasses decide per request through handle(). CountingProxy counts AWS API calls by name. AWS modules run in
their own processes (AnsiballZ), out of reach of a botocore event hook in a test or benchmark; counting on the
wire sees every call that any process makes, retries included. scripts/fault_proxy.py builds on both.
"""
import collections
import http.client
import http.server
import re
import threading
import urllib.parse

# SigV4: "Credential=<key>/<date>/<region>/<service>/aws4_request" names the service the request is signed for.
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/[^/,]+/[^/,]+/([^/,]+)/aws4_request")
# Response headers the proxy sets itself (it always answers with a Content-Length body).
HOP_BY_HOP = ("transfer-encoding", "connection", "content-length")


def operation_name(headers, body):
    """X-Amz-Target for JSON protocols (DynamoDB, Logs), Action= for query protocols (CloudFormation)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action")
    return action[0] if action else "unknown"


def service_name(headers):
    """The service the request is signed for (cloudformation, dynamodb, ...), or "unknown" when unsigned."""
    match = CREDENTIAL_SCOPE.search(headers.get("Authorization") or "")
    return match.group(1) if match else "unknown"


class Request:
    """One request as the proxy read it: method, path, headers, body, and the AWS service and operation."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.operation = operation_name(headers, body)
        self.service = service_name(headers)


class ForwardingProxy:
    """Forward each request to the emulator on upstream_port and send its answer back.

    handle(handler, request) decides per request; the default forwards and replies. `port` is a free loopback port
    picked by the kernel, so proxies never collide with each other or with an emulator.
    """

    def __init__(self, upstream_port, upstream_timeout=60):
        self.upstream_port = upstream_port
        self.upstream_timeout = upstream_timeout
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle on, the body waits for the client's delayed ACK
            # (40 ms on Linux) on every keep-alive request, which a one-call-at-a-time client pays in full.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                proxy.handle(self, Request(self.command, self.path, self.headers, body))

            do_GET = do_PUT = do_DELETE = do_POST

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that hung up (or a connection the proxy reset on purpose) is not an error here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, handler, request):
        self.reply(handler, *self.forward(request))

    def forward(self, request):
        """(status, headers, payload) of the emulator's answer to request."""
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=self.upstream_timeout)
        try:
            headers = dict((key, value) for key, value in request.headers.items() if key.lower() != "host")
            upstream.request(request.method, request.path, body=request.body, headers=headers)
            response = upstream.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            upstream.close()

    @staticmethod
    def reply(handler, status, headers, payload):
        handler.send_response(status)
        for key, value in headers:
            if key.lower() not in HOP_BY_HOP:
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class CountingProxy(ForwardingProxy):
    """Counts every AWS API call by operation name, then forwards it."""

    def __init__(self, upstream_port, **kwargs):
        self.calls = collections.Counter()
        self.lock = threading.Lock()
        super().__init__(upstream_port, **kwargs)

    def count(self, request):
        with self.lock:
            self.calls[request.operation] += 1

    def handle(self, handler, request):
        self.count(request)
        super().handle(handler, request)

    def take_counts(self):
        with self.lock:
            counts, self.calls = self.calls, collections.Counter()
        return counts
