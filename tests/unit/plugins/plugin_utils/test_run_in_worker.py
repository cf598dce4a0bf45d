"""ModuleInProcessAction._run_in_worker (through ModuleAction) on real AnsibleModule code: a module's result, its failure, an exception it
raises and a module that never exits come back as Ansible reads them from a module process. The modules are tiny
packages written to tmp_path; no task machinery is needed for this part (the whole path, with Ansible's worker, is
tests/integration/test_module_in_process.py)."""
import sys
import textwrap

import pytest

from ansible.module_utils import basic

from ansible_collections.aichef.dynamodb.plugins.plugin_utils.module_in_process import ModuleAction

MODULES = dict(
    succeeds="""
        from ansible.module_utils.basic import AnsibleModule
        module = AnsibleModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
        module.exit_json(changed=not module.check_mode, greeting="hello " + module.params["name"])
    """,
    fails="""
        from ansible.module_utils.basic import AnsibleModule
        module = AnsibleModule(argument_spec=dict(name=dict(type="str", required=True)))
        module.fail_json(msg="no " + module.params["name"])
    """,
    raises="""
        raise ValueError("broken on purpose")
    """,
    never_exits="""
        value = 1
    """,
)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """A package aichef_runner_probe holding one module per entry of MODULES, importable by its Python name."""
    root = tmp_path_factory.mktemp("probe")
    (root / "aichef_runner_probe").mkdir()
    (root / "aichef_runner_probe" / "__init__.py").write_text("")
    for name, body in MODULES.items():
        (root / "aichef_runner_probe" / ("%s.py" % name)).write_text(textwrap.dedent(body))
    sys.path.insert(0, str(root))
    yield "aichef_runner_probe"
    sys.path.remove(str(root))


@pytest.fixture
def action():
    runner = ModuleAction.__new__(ModuleAction)  # only _run_in_worker is exercised: no task, connection or loader
    runner._used_interpreter = None
    return runner


def test_a_module_result_comes_back_as_from_a_process_and_its_arguments_are_restored(package, action):
    before = basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE
    result = action._run_in_worker(package + ".succeeds", dict(name="chef", _ansible_check_mode=False))
    assert (result["changed"], result["greeting"]) == (True, "hello chef"), result
    assert result["invocation"]["module_args"] == dict(name="chef")
    assert (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE) == before


def test_check_mode_reaches_the_module(package, action):
    result = action._run_in_worker(package + ".succeeds", dict(name="chef", _ansible_check_mode=True))
    assert result["changed"] is False, result


def test_fail_json_is_a_failed_result_with_its_message(package, action):
    result = action._run_in_worker(package + ".fails", dict(name="chef"))
    assert result["failed"] and result["msg"] == "no chef", result


def test_a_missing_required_argument_fails_as_in_a_process(package, action):
    result = action._run_in_worker(package + ".fails", dict())
    assert result["failed"] and "missing required arguments: name" in result["msg"], result


def test_an_exception_the_module_raises_is_a_failed_result_with_its_traceback(package, action):
    result = action._run_in_worker(package + ".raises", dict())
    assert result["failed"] and "ValueError: broken on purpose" in result["msg"], result
    assert "raise ValueError" in result["exception"]


def test_a_module_that_never_exits_is_a_failure(package, action):
    result = action._run_in_worker(package + ".never_exits", dict())
    assert result["failed"], result
