"""read_job_result(): the async deploy job's result once it has finished, else None."""
import json

from ansible_collections.aichef.dynamodb.plugins.modules import cloudformation_stack_progress as module


def test_read_job_result_no_path_returns_none():
    assert module.read_job_result(None) is None
    assert module.read_job_result("") is None


def test_read_job_result_missing_file_returns_none(tmp_path):
    """The wrapper has not written the file yet."""
    assert module.read_job_result(str(tmp_path / "j1")) is None


def test_read_job_result_running_returns_none(job_file):
    assert module.read_job_result(job_file.running().path) is None


def test_read_job_result_finished_returns_module_result(job_file):
    job_file.finished(changed=True, output="Stack UPDATE complete", stack_outputs={"SessionsTableName": "s"})
    result = module.read_job_result(job_file.path)
    assert (result["changed"], result["output"], result["stack_outputs"]) == (
        True, "Stack UPDATE complete", {"SessionsTableName": "s"})


def test_read_job_result_unmarked_module_result_counts_as_finished(tmp_path):
    """async_wrapper replaces the started/finished record by the module's bare result when the module ends."""
    path = tmp_path / "j2"
    path.write_text(json.dumps({"failed": True, "msg": "Template format error", "ansible_job_id": "j2"}))
    assert module.read_job_result(str(path)) == {"failed": True, "msg": "Template format error",
                                                 "ansible_job_id": "j2"}


def test_read_job_result_half_written_returns_none(tmp_path):
    path = tmp_path / "j3"
    path.write_text('{"started": 1, "fini')
    assert module.read_job_result(str(path)) is None
