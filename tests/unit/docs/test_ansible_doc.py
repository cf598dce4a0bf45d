"""Every plugin of the collection renders in ansible-doc, and `ansible-doc -l aichef.dynamodb` lists every module
with a one-line description.

ansible-doc exits 0 and only warns when a plugin is missing or its documentation does not load, so these tests
read its output: the plugins found on disk must all be listed, each must come back with its documentation, and
nothing may be written to stderr. One ansible-doc call per plugin type and mode keeps this to a few seconds.
"""
import glob
import importlib
import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTION = "aichef.dynamodb"
ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
# plugins/<directory> -> ansible-doc plugin type; module_utils, plugin_utils and doc_fragments hold no plugins of their own.
PLUGIN_TYPES = dict(modules="module", callback="callback", filter="filter", lookup="lookup", test="test",
                    inventory="inventory", connection="connection", become="become", cache="cache", vars="vars",
                    strategy="strategy", shell="shell", netconf="netconf", cliconf="cliconf", httpapi="httpapi")
NOT_PLUGINS = ("module_utils", "plugin_utils", "doc_fragments", "action")


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               COLUMNS="200")
    return subprocess.run([ANSIBLE_DOC] + list(args), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def plugin_files(directory):
    return sorted(path for path in glob.glob(os.path.join(ROOT, "plugins", directory, "*.py"))
                  if not os.path.basename(path).startswith("_"))


def names_on_disk(directory):
    """FQCNs the collection ships in plugins/<directory>: one per file, except that a filter or test file
    declares its names in FilterModule/TestModule."""
    names = []
    for path in plugin_files(directory):
        stem = os.path.splitext(os.path.basename(path))[0]
        if directory in ("filter", "test"):
            plugin = importlib.import_module("ansible_collections.aichef.dynamodb.plugins.%s.%s" % (directory, stem))
            factory = plugin.FilterModule if directory == "filter" else plugin.TestModule
            names.extend(factory().filters() if directory == "filter" else factory().tests())
        else:
            names.append(stem)
    return sorted("%s.%s" % (COLLECTION, name) for name in names)


def plugin_directories():
    found = sorted(os.path.basename(path) for path in glob.glob(os.path.join(ROOT, "plugins", "*"))
                   if os.path.isdir(path) and plugin_files(os.path.basename(path)))
    unknown = [name for name in found if name not in PLUGIN_TYPES and name not in NOT_PLUGINS]
    assert not unknown, "plugins/%s: add the plugin type to PLUGIN_TYPES" % ", ".join(unknown)
    return [name for name in found if name in PLUGIN_TYPES]


DIRECTORIES = plugin_directories()


def galaxy_version():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)["version"]


def semver(text):
    """(major, minor, patch) of a plain X.Y.Z version; antsibull-changelog lists a plugin as new in the release
    whose version equals its version_added, so anything else would keep it out of the changelog."""
    parts = str(text).split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts), "not a X.Y.Z version: %r" % text
    return tuple(int(part) for part in parts)


def test_the_collection_has_modules_and_plugins():
    assert "modules" in DIRECTORIES and len(DIRECTORIES) > 1


@pytest.mark.parametrize("directory", DIRECTORIES)
def test_ansible_doc_lists_every_plugin_on_disk(directory):
    listed = ansible_doc("-t", PLUGIN_TYPES[directory], "-l", COLLECTION, "--json")
    assert listed.returncode == 0 and not listed.stderr.strip(), listed.stderr
    assert sorted(json.loads(listed.stdout)) == names_on_disk(directory)


@pytest.mark.parametrize("directory", DIRECTORIES)
def test_ansible_doc_json_loads_the_documentation_of_every_plugin(directory):
    names = names_on_disk(directory)
    shown = ansible_doc("-t", PLUGIN_TYPES[directory], "--json", *names)
    assert shown.returncode == 0 and not shown.stderr.strip(), shown.stderr
    docs = json.loads(shown.stdout)
    assert sorted(docs) == names
    for name, entry in docs.items():
        doc = entry["doc"]
        assert doc.get("short_description") and "\n" not in doc["short_description"], name
        assert doc.get("description") and doc.get("author"), name
        # Never later than the collection's own version: a plugin cannot be added in a release still to come.
        assert semver(doc.get("version_added")) <= semver(galaxy_version()), name
        if directory in ("modules", "filter", "test"):
            assert (entry.get("examples") or "").strip(), "%s has no EXAMPLES" % name
            examples = yaml.safe_load(entry["examples"])
            assert examples, "%s: EXAMPLES is not YAML" % name
        if directory == "modules":
            assert entry.get("return"), "%s has no RETURN" % name


@pytest.mark.parametrize("directory", DIRECTORIES)
def test_ansible_doc_renders_every_plugin_as_text(directory):
    """The text renderer is where markup (O(), RV(), M() ...) is resolved; it must not warn either."""
    names = names_on_disk(directory)
    shown = ansible_doc("-t", PLUGIN_TYPES[directory], *names)
    assert shown.returncode == 0 and not shown.stderr.strip(), shown.stderr
    for name in names:
        assert "> %s %s (" % (PLUGIN_TYPES[directory].upper(), name) in shown.stdout, name


def test_ansible_doc_list_shows_every_module_with_a_one_line_description():
    listed = ansible_doc("-l", COLLECTION)
    assert listed.returncode == 0 and not listed.stderr.strip(), listed.stderr
    lines = dict(line.split(None, 1) for line in listed.stdout.splitlines() if line.strip())
    assert sorted(lines) == names_on_disk("modules")
    assert all(description.strip() for description in lines.values()), lines
    descriptions = json.loads(ansible_doc("-l", COLLECTION, "--json").stdout)
    for name, description in descriptions.items():
        assert description.strip() and "\n" not in description and not description.endswith("."), name
