#!/usr/bin/env python
"""A compiled-code cache for modules imported from zip archives, installed into this repository's .venv only.

Why: every Ansible module task runs a new Python process that imports ansible.module_utils, amazon.aws's
module_utils and this collection's from the AnsiballZ zip. Python caches no bytecode for zip imports, so each task
compiles all of that source again, and Python 3.11's zipimport compiles each file twice (get_filename and get_code
both compile). Measured with py-spy on a deploy: about a third of each module process's CPU went to compiling the
same unchanged files. make test runs a few thousand module tasks, so this was the largest single cost of the test
run on two cores.

How: zipimport._compile_source (what zipimport calls for a .py member) is wrapped. The compiled code is stored
under .venv/zipimport-cache, keyed by the SHA-256 of the interpreter's bytecode magic number and the exact source
bytes, and loaded back with its file name set to the member's path in the current archive (tracebacks name the
file as before). Any error reading or writing the cache falls back to compiling. AICHEF_ZIPIMPORT_CACHE=0 turns it
off (benchmarks/deploy_ratios.py measures with it on and off).

Behaviour does not change: the code object is the one compile() returns for the same source, flags and file
name. It speeds up this repository's own runs (make deploy, make test); an installed collection does not ship it.

    .venv/bin/python scripts/zipimport_code_cache.py --install   # copies itself into the venv, adds a .pth line
"""
import hashlib
import importlib.util
import marshal
import os
import sys
import zipimport

ENABLED = os.environ.get("AICHEF_ZIPIMPORT_CACHE", "1") != "0"
CACHE_DIR = os.path.join(sys.prefix, "zipimport-cache")
MODULE_NAME = "aichef_zipimport_code_cache"
# A private function of zipimport (3.8 to 3.13 at least); without it, nothing is wrapped. Unwrapped when the venv's
# own copy of this file has already wrapped it (this file imported again, as by its tests).
_compile_source = getattr(zipimport, "_compile_source", None)
_compile_source = getattr(_compile_source, "__wrapped__", _compile_source)


def cache_key(source):
    return hashlib.sha256(importlib.util.MAGIC_NUMBER + source).hexdigest()


def with_filename(code, filename):
    """The code object and every code object nested in it (functions, classes, comprehensions) renamed."""
    consts = tuple(with_filename(const, filename) if isinstance(const, type(code)) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def load(path, filename):
    try:
        with open(path, "rb") as handle:
            return with_filename(marshal.loads(handle.read()), filename)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store(path, code):
    """Written to a temporary name, then renamed: two processes compiling the same file never see half of it."""
    temporary = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(temporary, path)
    except OSError:
        try:
            os.remove(temporary)
        except OSError:
            pass


def cached_compile_source(pathname, source, cache_dir=None):
    path = os.path.join(cache_dir or CACHE_DIR, cache_key(source))
    code = load(path, pathname)
    if code is None:
        code = _compile_source(pathname, source)
        store(path, code)
    return code


cached_compile_source.__wrapped__ = _compile_source


def enable():
    if ENABLED and _compile_source is not None:
        zipimport._compile_source = cached_compile_source  # pylint: disable=protected-access


def install(site_packages):
    """Copy this file into site_packages as MODULE_NAME and add a .pth line that enables it at interpreter start."""
    with open(os.path.abspath(__file__), "rb") as source:
        text = source.read()
    with open(os.path.join(site_packages, MODULE_NAME + ".py"), "wb") as target:
        target.write(text)
    with open(os.path.join(site_packages, MODULE_NAME + ".pth"), "w") as pth:
        pth.write("import %s; %s.enable()\n" % (MODULE_NAME, MODULE_NAME))


if __name__ == "__main__":
    if sys.argv[1:] != ["--install"]:
        raise SystemExit(__doc__)
    import sysconfig
    install(sysconfig.get_paths()["purelib"])
