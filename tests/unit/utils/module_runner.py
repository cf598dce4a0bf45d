"""Run a module's main() in the test process and read its result; answer AnsibleAWSModule.client with test clients.

main() always ends in exit_json or fail_json: both print the result as JSON on stdout and raise SystemExit, with
code 0 or 1. So a test patches the module arguments, expects the SystemExit, and parses what capsys captured.

The client patch refuses a client asked for without a retry_decorator: the real AnsibleAWSModule.client would
then hand out a client whose calls are never retried (throttling fails the task), and stubbed clients that are
already wrapped would hide that.
"""
import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper


def run_module_main(main, capsys, **args):
    """main() with args as the module's parameters -> (exit code, the JSON result it printed).

    capsys is the test's fixture: it holds what main() printed, and is emptied here so that a second run in the
    same test reads only its own result.
    """
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            main()
    return exited.value.code, json.loads(capsys.readouterr().out)


def module_runner(main, capsys, **default_args):
    """callable(**args) -> run_module_main(main, ...) with args over default_args: what a fixture hands its tests
    when every test runs the module on the same stack, region or file and names only what differs."""
    def run(**args):
        return run_module_main(main, capsys, **dict(default_args, **args))
    return run


def module_result_runner(main, capsys, **default_args):
    """As module_runner, but callable(**args) -> the result alone, for tests that read failure from
    result["failed"] rather than from the exit code."""
    run = module_runner(main, capsys, **default_args)

    def result(**args):
        return run(**args)[1]
    return result


def patch_aws_client(monkeypatch, client_for):
    """AnsibleAWSModule.client(service, retry_decorator=..., **extra_params) returns
    client_for(service, retry_decorator, **extra_params); a call without retry_decorator fails the test.

    -> the services main() asked for, in call order (a live list: a test asserts on it after main() has run).
    """
    requested = []

    def client(_module, service, retry_decorator=None, **extra_params):
        requested.append(service)
        assert retry_decorator is not None, "every client must be wrapped with the retry decorator"
        return client_for(service, retry_decorator, **extra_params)

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    return requested


def patch_aws_client_with_stubs(monkeypatch, **stubbed):
    """AnsibleAWSModule.client(service, ...) returns stubbed[service] (a StubbedClient, e.g. cloudformation=...)
    wrapped with the module's own retry decorator, as the real one wraps it, so the module's backoff options apply.
    A service the test did not stub fails the test. -> the services main() asked for, in call order."""
    def wrapped(service, retry_decorator, **_extra_params):
        assert service in stubbed, "main() asked for a %s client; the test stubs only %s" % (
            service, ", ".join(sorted(stubbed)))
        return RetryingBotoClientWrapper(stubbed[service].client, retry_decorator)

    return patch_aws_client(monkeypatch, wrapped)


def patch_aws_client_with_retrying_clients(monkeypatch, clients):
    """AnsibleAWSModule.client(service, ...) returns clients(service), a client that is already retrying (e.g.
    team_stack.StubbedClients, wrapped with zero backoff so a test never sleeps): the module's retry decorator is
    required but not used. -> the services main() asked for, in call order."""
    return patch_aws_client(monkeypatch, lambda service, _retry_decorator, **_extra_params: clients(service))
