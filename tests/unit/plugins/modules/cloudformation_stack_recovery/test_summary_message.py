"""summary_message(): the one-line msg of a successful run (pure)."""
from ansible_collections.aichef.dynamodb.plugins.module_utils._stack.recovery import summary_message

STACK = "ai-chef-dynamodb"


def result(action="none", actions=(), status_before="CREATE_COMPLETE", status_after="CREATE_COMPLETE",
           deploy="update"):
    return dict(stack_name=STACK, action=action, actions=[dict(action=a) for a in actions],
                status_before=status_before, status_after=status_after, deploy=deploy)


class TestSummaryMessage:
    def test_summary_message_nothing_to_recover_names_deploy(self):
        assert summary_message(result(), False) == (
            "Stack ai-chef-dynamodb is CREATE_COMPLETE: nothing to recover; the deploy will update it")

    def test_summary_message_absent_says_create(self):
        assert summary_message(result(status_before="ABSENT", status_after="ABSENT", deploy="create"), False) == (
            "Stack ai-chef-dynamodb is ABSENT: nothing to recover; the deploy will create it")

    def test_summary_message_matching_declaration_nothing_to_deploy(self):
        assert summary_message(result(deploy="none"), False) == (
            "Stack ai-chef-dynamodb is CREATE_COMPLETE and matches the declaration: nothing to deploy")

    def test_summary_message_recovered_lists_steps(self):
        message = summary_message(result("wait", ["wait", "delete"], "ROLLBACK_IN_PROGRESS", "ABSENT", "create"),
                                  False)
        assert message == ("Stack ai-chef-dynamodb recovered from ROLLBACK_IN_PROGRESS by wait -> delete; now ABSENT, "
                           "the deploy will create it")

    def test_summary_message_check_mode_says_would(self):
        message = summary_message(result("delete", ["delete"], "ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "create"),
                                  True)
        assert message == "Stack ai-chef-dynamodb is ROLLBACK_COMPLETE: would delete, then create it"
