"""planned_deploy(): what the deploy after recovery has to do, from the settled status (pure)."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import planned_deploy


def step(action):
    return dict(action=action, status_before="X", status_after="X")


class TestPlannedDeploy:
    @pytest.mark.parametrize("status", ["ABSENT", "DELETE_COMPLETE"])
    def test_planned_deploy_absent_creates(self, status):
        assert planned_deploy(status, [], check_mode=False) == "create"

    @pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_IN_PROGRESS"])
    def test_planned_deploy_existing_stack_updates(self, status):
        assert planned_deploy(status, [], check_mode=False) == "update"

    @pytest.mark.parametrize("action", ["delete", "delete_if_empty"])
    def test_planned_deploy_check_mode_planned_delete_creates(self, action):
        """In check mode the stack is still there, but the planned delete means the deploy would create it."""
        assert planned_deploy("ROLLBACK_COMPLETE", [step(action)], check_mode=True) == "create"

    def test_planned_deploy_check_mode_planned_rollback_updates(self):
        assert planned_deploy("UPDATE_FAILED", [step("rollback")], check_mode=True) == "update"

    def test_planned_deploy_real_run_delete_not_finished_does_not_claim_create(self):
        """Outside check mode only the observed status counts."""
        assert planned_deploy("DELETE_IN_PROGRESS", [step("delete")], check_mode=False) == "update"

    def test_planned_deploy_unknown_status_raises(self):
        with pytest.raises(ValueError):
            planned_deploy("NEW_STATUS", [], check_mode=False)
