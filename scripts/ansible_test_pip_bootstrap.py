#!/usr/bin/env python
"""Let ansible-test create its sanity virtual environments without reaching ci-files.testing.ansible.com.

ansible-test bootstraps pip into each empty sanity venv with a get-pip.py it downloads from
https://ci-files.testing.ansible.com (unreachable here) and caches as ~/.ansible/test/cache/get_pip_<ver>.py. This
writes a stand-in under that name: it runs `python -m ensurepip` in a separate process (in-process ensurepip drops
the machine's pip configuration: index, find-links, certificates), then `pip install` with the arguments
ansible-test passes (pip==<ver> and the common options), which upgrades pip from PyPI like get-pip.py would.

    ansible_test_pip_bootstrap.py      write the stand-in for the pip version this ansible-test pins

A real get-pip.py already in the cache is left alone; an older stand-in of ours, or an empty file, is rewritten. The Makefile's
`sanity` target runs this: never place the file by hand.
"""
import os
import sys
import types

MARKER = "# aichef.dynamodb stand-in for get-pip.py (scripts/ansible_test_pip_bootstrap.py)"
STAND_IN = MARKER + '''
import subprocess
import sys

# get-pip.py options that pip install does not know.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")
arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + arguments)
'''


def pinned_pip_version():
    """The pip version ansible-test bootstraps into a Python 3.11 sanity venv (its get_venv_packages)."""
    from ansible_test._internal.python_requirements import get_venv_packages
    return get_venv_packages(types.SimpleNamespace(version="%d.%d" % sys.version_info[:2]))["pip"]


def main():
    path = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % pinned_pip_version().replace(".", "_"))
    if os.path.exists(path):
        with open(path) as handle:
            current = handle.read()
        if current == STAND_IN or (current.strip() and not current.startswith(MARKER)):
            return 0
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as handle:
        handle.write(STAND_IN)
    os.replace(path + ".tmp", path)
    print("ansible-test pip bootstrap stand-in written to %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
