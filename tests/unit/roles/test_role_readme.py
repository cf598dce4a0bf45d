"""A role variable is documented in the role's README, and a test fails when one is not.

scripts/role_readme.py generates the README variable table from meta/argument_specs.yml and `make lint` runs it
with --check: these tests prove that --check fails when a declared variable is missing from the README (or
described differently), and that every public variable the role's tasks read is declared there, so that the
generated table covers it.
"""
import glob
import importlib.util
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(path)))
               for path in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")))


def load_role_readme():
    spec = importlib.util.spec_from_file_location("role_readme", os.path.join(ROOT, "scripts", "role_readme.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def role_readme(tmp_path, monkeypatch):
    """scripts/role_readme.py working on a collection in tmp_path, with one role "demo"."""
    module = load_role_readme()
    monkeypatch.setattr(module, "ROOT", str(tmp_path))
    (tmp_path / "roles" / "demo" / "meta").mkdir(parents=True)
    return module


def write_role(tmp_path, options, readme_table=None, module=None):
    specs = dict(argument_specs=dict(main=dict(short_description="Demo", options=options)))
    (tmp_path / "roles" / "demo" / "meta" / "argument_specs.yml").write_text(yaml.safe_dump(specs))
    table = readme_table if readme_table is not None else module.variable_table(specs)
    (tmp_path / "roles" / "demo" / "README.md").write_text(
        "# demo\n\n## Role Variables\n\n%s\n%s\n%s\n\n## License\n" % (module.BEGIN, table, module.END))


NAME = dict(type="str", required=True, description="Name of the demo.")
COUNT = dict(type="int", default=2, description="How many demos.")


def test_role_readme_check_in_sync_passes(role_readme, tmp_path):
    write_role(tmp_path, dict(demo_name=NAME, demo_count=COUNT), module=role_readme)
    assert role_readme.main(["--check"]) == 0


def test_role_readme_check_variable_missing_from_readme_fails(role_readme, tmp_path, capsys):
    """A variable added to meta/argument_specs.yml but not to the README table is undocumented."""
    documented = role_readme.variable_table(dict(argument_specs=dict(main=dict(options=dict(demo_name=NAME)))))
    write_role(tmp_path, dict(demo_name=NAME, demo_count=COUNT), readme_table=documented, module=role_readme)

    assert role_readme.main(["--check"]) == 1
    assert "stale role variable table in roles/demo/README.md" in capsys.readouterr().out


def test_role_readme_check_changed_description_fails(role_readme, tmp_path):
    write_role(tmp_path, dict(demo_name=NAME), module=role_readme)
    write_role(tmp_path, dict(demo_name=dict(NAME, description="Another meaning.")),
               readme_table=role_readme.variable_table(dict(argument_specs=dict(main=dict(
                   options=dict(demo_name=NAME))))), module=role_readme)
    assert role_readme.main(["--check"]) == 1


def test_role_readme_rewrite_documents_the_variable_then_check_passes(role_readme, tmp_path):
    write_role(tmp_path, dict(demo_name=NAME, demo_count=COUNT), readme_table="| stale |", module=role_readme)
    assert role_readme.main([]) == 0  # rewrites the table
    readme = (tmp_path / "roles" / "demo" / "README.md").read_text()
    assert "| `demo_count` | int | `2` | no | How many demos. |" in readme
    assert role_readme.main(["--check"]) == 0


def test_role_readme_check_on_this_collection_passes():
    assert load_role_readme().main(["--check"]) == 0


def strings_and_keys(node, facts, tags):
    """Every string of a task file, except task tags (tag names look like variables; a module's `tags` option
    holds an expression and is scanned); the names the tasks set (set_fact keys, register) go to facts."""
    if isinstance(node, dict):
        for key, value in node.items():
            names = value if isinstance(value, list) else [value]
            if key == "tags" and all(isinstance(name, str) and "{" not in name for name in names):
                tags.update(names)
                continue
            if key in ("set_fact", "ansible.builtin.set_fact") and isinstance(value, dict):
                facts.update(value)
            if key == "register":
                facts.add(value)
            yield from strings_and_keys(value, facts, tags)
    elif isinstance(node, list):
        for item in node:
            yield from strings_and_keys(item, facts, tags)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("role", ROLES)
def test_every_public_variable_the_role_reads_is_declared_in_argument_specs(role):
    """A dynamodb_stack_* name read by the tasks but declared nowhere would be missing from the README table."""
    role_dir = os.path.join(ROOT, "roles", role)
    with open(os.path.join(role_dir, "meta", "argument_specs.yml")) as handle:
        declared = set(yaml.safe_load(handle)["argument_specs"]["main"]["options"])
    modules = set(os.path.splitext(os.path.basename(path))[0]
                  for path in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")))
    pattern = re.compile(r"(?<![\w.])%s_\w+" % re.escape(role))
    read, facts, tags = set(), set(), set()
    for path in sorted(glob.glob(os.path.join(role_dir, "tasks", "*.yml")) +
                       glob.glob(os.path.join(role_dir, "vars", "*.yml"))):
        with open(path) as handle:
            for text in strings_and_keys(yaml.safe_load(handle), facts, tags):
                read.update(pattern.findall(text))
    assert read, "no variable found: the scan is broken"
    undeclared = sorted(read - declared - facts - tags - modules)
    assert not undeclared, "read by roles/%s but not in meta/argument_specs.yml: %s" % (role, ", ".join(undeclared))
