"""A loopback proxy that adds a fixed round-trip time to every request, as a network to AWS does.

The emulator answers from the same machine in well under a millisecond of network time; a client talking to
DynamoDB over a real network waits a few milliseconds per call before the service does any work. Clients that
make one call per item (the guide's loop) pay that per item; clients that batch and keep several calls in flight
pay it per 25 items, spread over their threads. benchmarks/migrate.py --rtt-ms measures both behind this proxy.
"""
import time

from counting_proxy import ForwardingProxy


class LatencyProxy(ForwardingProxy):
    """Waits rtt_seconds, then forwards: each request's answer arrives that much later (threads wait in parallel)."""

    def __init__(self, upstream_port, rtt_seconds, **kwargs):
        self.rtt_seconds = rtt_seconds
        super().__init__(upstream_port, **kwargs)

    def handle(self, handler, request):
        time.sleep(self.rtt_seconds)
        super().handle(handler, request)
