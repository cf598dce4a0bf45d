"""scripts/zipimport_code_cache.py: modules imported from a zip compile once per source, keep their real file names,
and fall back to compiling whenever the cache cannot answer."""
import importlib.util
import os
import subprocess
import sys
import zipfile
import zipimport

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import zipimport_code_cache as code_cache  # noqa: E402  (scripts/ is not a package)

SOURCE = '''
def answer():
    def inner():
        raise ValueError("from inner")
    return 42, inner


class Kitchen:
    def name(self):
        return "ai-chef"
'''


@pytest.fixture
def compiled(tmp_path, monkeypatch):
    """The cache in a temporary directory, wrapped around a compile that records each real compilation."""
    calls = []
    # zipimport's own compile, as the cache module saved it
    compile_source = code_cache._compile_source  # pylint: disable=protected-access

    def counting_compile(pathname, source):
        calls.append(pathname)
        return compile_source(pathname, source)

    monkeypatch.setattr(code_cache, "CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(code_cache, "_compile_source", counting_compile)
    monkeypatch.setattr(zipimport, "_compile_source", code_cache.cached_compile_source)
    return calls


def import_from_zip(directory, archive_name, source, module_name="kitchen_demo"):
    archive = os.path.join(str(directory), archive_name)
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr(module_name + ".py", source)
    spec = zipimport.zipimporter(archive).find_spec(module_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, os.path.join(archive, module_name + ".py")


def test_the_same_source_compiles_once_and_keeps_each_archives_file_name(compiled, tmp_path):
    first, first_path = import_from_zip(tmp_path, "first.zip", SOURCE)
    second, second_path = import_from_zip(tmp_path, "second.zip", SOURCE)

    assert compiled == [first_path]  # Python 3.11 would otherwise compile it twice per import, four times here
    assert second.answer()[0] == 42 and second.Kitchen().name() == "ai-chef"
    inner = second.answer()[1]
    assert {second.answer.__code__.co_filename, inner.__code__.co_filename,
            second.Kitchen.name.__code__.co_filename} == {second_path}
    with pytest.raises(ValueError) as raised:
        inner()
    assert str(raised.traceback[-1].path) == second_path


def test_changed_source_is_compiled_again_never_served_stale(compiled, tmp_path):
    import_from_zip(tmp_path, "first.zip", SOURCE)
    changed, changed_path = import_from_zip(tmp_path, "changed.zip", SOURCE.replace("42", "43"))

    assert changed.answer()[0] == 43
    assert compiled[-1] == changed_path and len(compiled) == 2


def test_an_unreadable_cache_entry_falls_back_to_compiling_and_is_rewritten(compiled, tmp_path):
    import_from_zip(tmp_path, "first.zip", SOURCE)
    entry, = (tmp_path / "cache").iterdir()
    entry.write_bytes(b"not marshalled code")

    module, path = import_from_zip(tmp_path, "again.zip", SOURCE)

    assert module.answer()[0] == 42 and compiled[-1] == path and len(compiled) == 2
    assert code_cache.load(str(entry), path) is not None


def test_an_unwritable_cache_still_imports(compiled, tmp_path):
    (tmp_path / "cache").write_text("a file where the directory should be")
    module, path = import_from_zip(tmp_path, "first.zip", SOURCE)
    assert module.answer()[0] == 42 and compiled == [path, path]


def test_turned_off_it_leaves_zipimport_alone(monkeypatch):
    sentinel = object()
    monkeypatch.setattr(zipimport, "_compile_source", sentinel)
    monkeypatch.setattr(code_cache, "ENABLED", False)
    code_cache.enable()
    assert zipimport._compile_source is sentinel  # pylint: disable=protected-access


def test_install_enables_it_at_interpreter_start_in_that_site_directory(tmp_path):
    code_cache.install(str(tmp_path))
    probe = ("import site, sys, zipimport; site.addsitedir(sys.argv[1]); "
             "print(zipimport._compile_source.__module__, zipimport._compile_source.__wrapped__.__name__)")
    shown = subprocess.run([sys.executable, "-S", "-c", probe, str(tmp_path)], capture_output=True, text=True,
                           env=dict(os.environ, AICHEF_ZIPIMPORT_CACHE="1"), check=True).stdout.split()
    assert shown == [code_cache.MODULE_NAME, "_compile_source"]
