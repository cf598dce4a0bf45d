"""main(): options against DOCUMENTATION, clients, exit and fail results, with Stubber-backed clients."""
import pytest
import yaml

from ansible_collections.aichef.dynamodb.plugins.doc_fragments import migration_transform
from ansible_collections.aichef.dynamodb.plugins.modules import dynamodb_table_migration as module
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import SOURCE
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import TARGET
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import migrated_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.migration_stubs import session_item
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import patch_aws_client
from ansible_collections.aichef.dynamodb.tests.unit.utils.module_runner import run_module_main

DOCUMENTATION = yaml.safe_load(module.DOCUMENTATION)
# The transform option is documented once, in the doc fragment that dynamodb_table_s3_migration shares.
DOCUMENTATION["options"].update(yaml.safe_load(migration_transform.ModuleDocFragment.DOCUMENTATION)["options"])
RETURN = yaml.safe_load(module.RETURN)
KEY_CHANGE = dict(derive=dict(PK="SESSION#{sessionId}", SK="META"))


class SpecCaptured(Exception):
    pass


def captured_argument_spec(monkeypatch):
    captured = {}

    def fake_module(argument_spec, **kwargs):
        captured.update(argument_spec)
        raise SpecCaptured()

    monkeypatch.setattr(module, "AnsibleAWSModule", fake_module)
    with pytest.raises(SpecCaptured):
        module.main()
    return captured


def comparable(spec):
    """An argument_spec or a DOCUMENTATION options tree reduced to what both must agree on."""
    return dict((name, dict(type=option.get("type", "str"), default=option.get("default"),
                            required=option.get("required", False), elements=option.get("elements"),
                            options=comparable(option.get("options") or option.get("suboptions") or {})))
                for name, option in spec.items())


def test_main_argument_spec_matches_documentation(monkeypatch):
    assert comparable(captured_argument_spec(monkeypatch)) == comparable(DOCUMENTATION["options"])


@pytest.fixture
def requested_clients(monkeypatch, source_stub, target_stub):
    """AnsibleAWSModule.client returns the source stub first, then the target stub (each with a retry decorator);
    the list records the extra parameters (config, region, endpoint) of each call."""
    requested = []

    def client(service, _retry_decorator, **extra_params):
        assert service == "dynamodb"
        requested.append(extra_params)
        return (source_stub, target_stub)[len(requested) - 1][0]

    patch_aws_client(monkeypatch, client)
    return requested


def run_main(capsys, **args):
    """(rc, result) of main() migrating SOURCE to TARGET in one segment and one thread, unless args say otherwise."""
    params = dict(source_table=SOURCE, target_table=TARGET, region="us-east-1", transform=KEY_CHANGE,
                  total_segments=1, threads=1)
    params.update(args)
    return run_module_main(module.main, capsys, **params)


def documented(result_migration):
    assert set(result_migration) == set(RETURN["migration"]["contains"])


def test_main_copies_and_returns_documented_counts(capsys, requested_clients, source_stub, target_stub, tmp_path):
    source, target = source_stub[1], target_stub[1]
    stubs.stub_describe_table(source, SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target, TARGET, stubs.PK_SK_KEY)
    stubs.stub_probe(source, SOURCE, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0), session_item(1)], segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [migrated_item(0), migrated_item(1)])
    stubs.stub_count(target, TARGET, 2, segment=0, total_segments=1)

    rc, result = run_main(capsys, checkpoint_path=str(tmp_path / "run.json"))

    assert rc == 0, result
    assert result["changed"] is True
    assert result["msg"] == "Migrated ai-chef-sessions -> ai-chef-sessions-v2: 2 scanned, 2 written, 0 filtered out, " \
                            "0 failed"
    documented(result["migration"])
    assert set(result) - {"invocation"} == {"changed", "msg", "migration"}


def test_main_target_region_and_endpoint_reach_the_target_client(capsys, requested_clients, source_stub,
                                                                 target_stub):
    stubs.stub_describe_table(source_stub[1], SOURCE, None)
    rc, result = run_main(capsys, target_region="eu-west-1", target_endpoint_url="http://127.0.0.1:4639")
    assert rc == 1 and "Source table ai-chef-sessions does not exist" in result["msg"]
    config = dict(max_pool_connections=10, parameter_validation=False)
    assert requested_clients[0] == dict(config=config)
    assert requested_clients[1] == dict(config=config, region="eu-west-1", endpoint="http://127.0.0.1:4639")


@pytest.mark.parametrize("args, start", [
    (dict(transform=dict(derive=dict(PK="SESSION#{sessionId"))), "transform.derive.PK: 'SESSION#{sessionId' has an"),
    (dict(target_table=SOURCE), "Source and target are the same table (ai-chef-sessions)"),
    (dict(total_segments=0), "total_segments must be between 1 and 1000, got 0"),
    (dict(transform=dict(filter=[dict(attribute="a", equals=1, exists=True)])), "parameters are mutually exclusive"),
    (dict(transform=dict(filter=[dict(attribute="a")])), "one of the following is required: equals, exists"),
], ids=["bad-format", "same-table", "zero-segments", "filter-equals-and-exists", "filter-without-test"])
def test_main_bad_input_fails_before_any_client(args, start, capsys, requested_clients):
    rc, result = run_main(capsys, **args)
    assert rc == 1 and result["failed"] is True
    assert start in result["msg"]
    assert requested_clients == []


def test_main_failed_items_fail_with_counts(capsys, requested_clients, source_stub, target_stub):
    source, target = source_stub[1], target_stub[1]
    stubs.stub_describe_table(source, SOURCE, stubs.SESSIONS_KEY)
    stubs.stub_describe_table(target, TARGET, stubs.PK_SK_KEY)
    stubs.stub_probe(source, SOURCE, [session_item(0)])
    stubs.stub_scan(source, SOURCE, [session_item(0), {"sessionId": {"S": "lonely"}}], segment=0, total_segments=1)
    stubs.stub_batch_write(target, TARGET, [dict(session_item(0), PK={"S": "USER#u0"}, SK={"S": "META"})])

    rc, result = run_main(capsys, verify_count=False, transform=dict(derive=dict(PK="USER#{userId}", SK="META")))

    assert rc == 1 and result["changed"] is True
    assert result["msg"].startswith("Migration ai-chef-sessions -> ai-chef-sessions-v2: 1 items failed")
    documented(result["migration"])
    assert result["migration"]["failed_examples"] == [dict(key={"sessionId": "lonely"},
                                                           reason="derive PK: attribute userId is missing")]
