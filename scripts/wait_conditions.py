"""Hold a CloudFormation operation busy on the emulator, then let it go: a stack whose template holds a wait
condition (logical id "Wait", its handle "Handle") stays *_IN_PROGRESS until its handle is signalled.

Used by the integration tests (busy stacks, kills midway) and benchmarks/settle_notice.py. Standard library only.
"""
import http.client
import json
import time
import urllib.parse


def signal_wait_condition(handle_url, status, unique_id="integration-test"):
    """Signal SUCCESS or FAILURE to a wait condition handle (a PUT without Content-Type, as AWS requires)."""
    url = urllib.parse.urlsplit(handle_url)
    connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=10)
    try:
        connection.request("PUT", url.path, body=json.dumps(
            {"Status": status, "UniqueId": unique_id, "Reason": "signalled by %s" % unique_id, "Data": ""}))
        answer = connection.getresponse().status
    finally:
        connection.close()
    if answer != 200:
        raise RuntimeError("the wait condition handle %s answered HTTP %d to the signal" % (handle_url, answer))


def wait_for_the_wait_condition(cfn, stack_name, timeout=30):
    """Block until the stack's operation waits on its wait condition (the stack may not exist yet: a deploy about to
    create it); return {logical id: physical id}. TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout

    def waiting():
        try:
            events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
        except cfn.exceptions.ClientError as e:
            if "does not exist" not in str(e):
                raise
            return False
        return any(event["LogicalResourceId"] == "Wait" for event in events)
    while not waiting():
        if time.monotonic() >= deadline:
            raise TimeoutError("the operation of stack %s never reached its wait condition" % stack_name)
        time.sleep(0.05)
    return dict((resource["LogicalResourceId"], resource["PhysicalResourceId"])
                for resource in cfn.describe_stack_resources(StackName=stack_name)["StackResources"])
