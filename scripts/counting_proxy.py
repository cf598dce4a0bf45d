"""A loopback HTTP proxy that forwards every request to the emulator and counts AWS API calls by name.

AWS modules run in their own processes (AnsiballZ), out of reach of a botocore event hook in the benchmark;
counting on the wire sees every call that any process makes, retries included.
"""
import collections
import http.client
import http.server
import threading
import urllib.parse


def operation_name(headers, body):
    """X-Amz-Target for JSON protocols (DynamoDB, Logs), Action= for query protocols (CloudFormation)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action")
    return action[0] if action else "unknown"


class CountingProxy:
    def __init__(self, upstream_port):
        self.calls = collections.Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with proxy.lock:
                    proxy.calls[operation_name(self.headers, body)] += 1
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                headers = {key: value for key, value in self.headers.items() if key.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take_counts(self):
        with self.lock:
            counts, self.calls = self.calls, collections.Counter()
        return counts

    def close(self):
        self.server.shutdown()
