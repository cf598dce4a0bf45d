#!/usr/bin/env python
"""A loopback proxy that injects AWS faults between the modules and the emulator, and counts what happened.

Standard library only. It builds on scripts/counting_proxy.py (same forwarding, same call counting) and, at a
configured rate (round(rate * 20) of every 20 requests, at positions drawn from a seeded random generator), answers
a request itself instead of forwarding it:

    throttle   HTTP 400 in the service's own protocol: CloudFormation (AWS query protocol) <Code>Throttling</Code>
               in an <ErrorResponse>; DynamoDB (JSON 1.0) ...#ThrottlingException, or
               ...#ProvisionedThroughputExceededException for a data-plane call (Scan, GetItem, PutItem, ...)
    http_500   InternalFailure (query) / InternalServerError (DynamoDB)
    http_503   ServiceUnavailable
    reset      the connection is closed without any response (RST); nothing reaches the emulator
    latency    0.05-0.5 s added before the request is forwarded (not a failure; rolled independently)
    stall      while stall() is on, every request is held open without an answer (an endpoint that stopped
               answering) and never forwarded

It also counts, honestly by layer, the retries that the faults caused. botocore stamps every attempt with
`amz-sdk-request: attempt=N; max=M` (same invocation, retried by botocore's own retry handler when N > 1).
When botocore gives up (a fault on attempt M), the module's AWSRetry may send the same request again as a new
invocation (attempt=1): a request whose identity (operation + body) matches one that botocore gave up on counts as
a module-layer retry.

A reset is never drawn for botocore's last attempt (it becomes a 503 instead) unless reset_on_last_attempt=True:
AWSRetry retries only ClientError codes, so a connection error on the last attempt ends the call, by design of
amazon.aws; the faults then model transient drops that the SDK rides out, and the figures say which layer did.

    .venv/bin/python scripts/fault_proxy.py --upstream 4566 --rate 0.3   # point AWS_ENDPOINT_URL at the port it prints
"""
import argparse
import collections
import hashlib
import json
import random
import re
import socket
import struct
import sys
import threading
import time
import uuid

from counting_proxy import CountingProxy

FAILURE_KINDS = ("throttle", "http_500", "http_503", "reset")
# Mostly throttling, as on AWS under load; 5xx answers and dropped connections are rarer.
DEFAULT_MIX = dict(throttle=0.5, http_500=0.2, http_503=0.15, reset=0.15)
DEFAULT_LATENCY_SECONDS = (0.05, 0.5)
# Faults are placed at random within each block of this many requests, round(rate * BLOCK) of them: the rate holds
# on a few dozen calls too, where independent draws at 30% land anywhere between 15% and 45%.
BLOCK = 20
SDK_ATTEMPT = re.compile(r"attempt=(\d+)\s*;\s*max=(\d+)")
# DynamoDB answers data-plane calls over capacity with ProvisionedThroughputExceededException.
DYNAMODB_DATA_OPERATIONS = frozenset([
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement"])


def sdk_attempt(headers):
    """(attempt, max attempts) from botocore's amz-sdk-request header; (None, None) when it is absent."""
    match = SDK_ATTEMPT.search(headers.get("amz-sdk-request") or "")
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)


def request_identity(request):
    return hashlib.sha1(request.operation.encode() + b"\0" + request.body).hexdigest()


def json_namespace(request):
    """The __type prefix of the request's JSON protocol: DynamoDB's is com.amazonaws.dynamodb.v20120810#."""
    target = request.headers.get("X-Amz-Target") or ""
    return "com.amazonaws.dynamodb.v20120810#" if target.startswith("DynamoDB_") else ""


def is_json_protocol(request):
    return bool(request.headers.get("X-Amz-Target"))


def error_code(request, kind):
    """The error code a real AWS endpoint sends for this fault kind to this request's service."""
    dynamodb = json_namespace(request) != ""
    if kind == "throttle":
        if dynamodb and request.operation in DYNAMODB_DATA_OPERATIONS:
            return "ProvisionedThroughputExceededException"
        return "ThrottlingException" if is_json_protocol(request) else "Throttling"
    if kind == "http_500":
        return "InternalServerError" if dynamodb else ("InternalFailure" if not is_json_protocol(request)
                                                       else "InternalServerException")
    return "ServiceUnavailable"


ERROR_STATUS = dict(throttle=400, http_500=500, http_503=503)
ERROR_MESSAGES = dict(throttle="Rate exceeded", http_500="We encountered an internal error. Please try again.",
                      http_503="Service unavailable. Please try again.")


def error_response(request, kind):
    """(status, headers, payload) of the fault, in the request's protocol (JSON 1.0 or query XML)."""
    code, message, request_id = error_code(request, kind), ERROR_MESSAGES[kind], str(uuid.uuid4())
    if is_json_protocol(request):
        payload = json.dumps({"__type": json_namespace(request) + code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", request_id)]
    else:
        error_type = "Sender" if kind == "throttle" else "Receiver"
        payload = ("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>"
                   "<Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId>"
                   "</ErrorResponse>" % (error_type, code, message, request_id)).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    return ERROR_STATUS[kind], headers, payload


class FaultProxy(CountingProxy):
    """CountingProxy that injects faults at `rate` (0..1) with kinds weighted by `mix`, reproducibly from `seed`.

    max_consecutive_faults: at most that many faults in a row on one request identity (None: no cap).
    services: only requests signed for these services are faulted (None: every signed request).
    """

    def __init__(self, upstream_port, rate=0.3, mix=None, seed=9, latency_rate=0.1,
                 latency_seconds=DEFAULT_LATENCY_SECONDS, reset_on_last_attempt=False, max_consecutive_faults=None,
                 services=None, **kwargs):
        self.rate = rate
        self.mix = dict(mix or DEFAULT_MIX)
        unknown = set(self.mix) - set(FAILURE_KINDS)
        if unknown:
            raise ValueError("unknown fault kinds %s; known: %s" % (sorted(unknown), ", ".join(FAILURE_KINDS)))
        self.seed = seed
        self.random = random.Random(seed)
        self.latency_rate = latency_rate
        self.latency_seconds = latency_seconds
        self.reset_on_last_attempt = reset_on_last_attempt
        self.max_consecutive_faults = max_consecutive_faults
        self.services = set(services) if services else None
        self.stalled = False
        self.schedule = []
        self.release = threading.Event()
        self.reset_counters()
        super().__init__(upstream_port, **kwargs)

    def reset_counters(self):
        self.forwarded = collections.Counter()
        self.faults = collections.Counter()
        self.fault_codes = collections.Counter()
        self.faulted_operations = collections.Counter()
        self.retries = collections.Counter()
        self.retried_operations = collections.Counter()
        self.latency_added = 0.0
        self.given_up = collections.Counter()   # identity -> faults on botocore's last attempt not yet retried
        self.streak = collections.Counter()     # identity -> consecutive faults
        self.longest_streak = 0
        self.calls = collections.Counter()

    # --- control ---------------------------------------------------------------------------------------------
    def stall(self, on=True):
        """Hold every new request without an answer (on) or answer normally again (off)."""
        with self.lock:
            self.stalled = on

    def close(self):
        self.release.set()  # stalled connections are closed without an answer
        super().close()

    # --- per request -----------------------------------------------------------------------------------------
    def classify_retry(self, identity, attempt):
        """"botocore", "module" or None: which layer (if any) sent this request again after a fault."""
        if attempt is not None and attempt > 1:
            return "botocore"
        if self.given_up[identity] > 0:
            self.given_up[identity] -= 1
            return "module"
        return None

    def draw(self, request, identity, attempt, max_attempts):
        """(fault kind or None, latency seconds) for this request."""
        latency = 0.0
        if self.random.random() < self.latency_rate:
            latency = self.random.uniform(*self.latency_seconds)
        if self.services is not None and request.service not in self.services:
            return None, latency
        if request.service == "unknown":
            return None, latency  # not an AWS API call (unsigned)
        if self.max_consecutive_faults is not None and self.streak[identity] >= self.max_consecutive_faults:
            return None, latency
        if not self.schedule:
            faulted = int(round(self.rate * BLOCK))
            self.schedule = [True] * faulted + [False] * (BLOCK - faulted)
            self.random.shuffle(self.schedule)
        if not self.schedule.pop():
            return None, latency
        kinds = sorted(self.mix)
        kind = self.random.choices(kinds, weights=[self.mix[name] for name in kinds])[0]
        last_attempt = attempt is None or attempt >= max_attempts
        if kind == "reset" and last_attempt and not self.reset_on_last_attempt:
            kind = "http_503"
        return kind, latency

    def handle(self, handler, request):
        self.count(request)
        identity = request_identity(request)
        attempt, max_attempts = sdk_attempt(request.headers)
        with self.lock:
            layer = self.classify_retry(identity, attempt)
            if layer:
                self.retries[layer] += 1
                self.retried_operations["%s %s" % (layer, request.operation)] += 1
            if self.stalled:
                self.faults["stall"] += 1
                kind, latency = "stall", 0.0
            else:
                kind, latency = self.draw(request, identity, attempt, max_attempts)
            if latency:
                self.faults["latency"] += 1
                self.latency_added += latency
            if kind in FAILURE_KINDS:
                self.faults[kind] += 1
                self.fault_codes["reset" if kind == "reset" else "%d %s" % (
                    ERROR_STATUS[kind], error_code(request, kind))] += 1
                self.faulted_operations[request.operation] += 1
                self.streak[identity] += 1
                self.longest_streak = max(self.longest_streak, self.streak[identity])
                if attempt is None or attempt >= max_attempts:
                    self.given_up[identity] += 1
        if kind == "stall":
            self.hold(handler)
            return
        if latency:
            time.sleep(latency)
        if kind == "reset":
            self.reset(handler)
        elif kind in FAILURE_KINDS:
            self.reply(handler, *error_response(request, kind))
        else:
            answer = self.forward(request)
            with self.lock:
                self.forwarded[request.operation] += 1
                self.streak.pop(identity, None)
                self.given_up.pop(identity, None)
            self.reply(handler, *answer)

    def hold(self, handler):
        """An endpoint that stopped answering: keep the connection open, answer nothing, until close()."""
        self.release.wait()
        self.reset(handler)

    @staticmethod
    def reset(handler):
        """Close the connection without a response: a TCP reset (SO_LINGER 0), as a dropped connection looks."""
        handler.close_connection = True
        try:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
        except OSError:
            pass

    # --- figures ---------------------------------------------------------------------------------------------
    def report(self):
        with self.lock:
            return self.figures()

    def take_report(self):
        """The figures so far, then start counting from zero (one report per scenario)."""
        with self.lock:
            figures = self.figures()
            self.reset_counters()
        return figures

    def figures(self):
        calls = sum(self.calls.values())
        failures = sum(self.faults[kind] for kind in FAILURE_KINDS)
        return dict(
            calls=calls, calls_by_operation=dict(self.calls), forwarded=sum(self.forwarded.values()),
            forwarded_by_operation=dict(self.forwarded),
            faults=dict(self.faults), fault_codes=dict(self.fault_codes), failures=failures,
            failure_rate=round(failures / calls, 3) if calls else 0.0,
            faulted_operations=dict(self.faulted_operations),
            retries=dict(botocore=self.retries["botocore"], module=self.retries["module"],
                         total=sum(self.retries.values())),
            retried_operations=dict(self.retried_operations), longest_fault_streak=self.longest_streak,
            latency_added_seconds=round(self.latency_added, 2), seed=self.seed, rate=self.rate)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", type=int, required=True, help="emulator port on 127.0.0.1")
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    proxy = FaultProxy(args.upstream, rate=args.rate, seed=args.seed)
    print("fault proxy on http://127.0.0.1:%d -> 127.0.0.1:%d (rate %.2f, seed %d); Ctrl-C prints the figures" % (
        proxy.port, args.upstream, args.rate, args.seed), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    proxy.close()
    print(json.dumps(proxy.report(), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
