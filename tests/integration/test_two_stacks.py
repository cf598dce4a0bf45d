"""Two stacks side by side in one account: names derived from each stack name, so nothing collides."""
from conftest import aws_client


def declaration(stack, prefix):
    """Only the stack and its tables: alarm prefix and log group are left to the role's defaults."""
    return dict(dynamodb_stack_name=stack, dynamodb_stack_table_name_prefix=prefix,
                dynamodb_stack_tables=[dict(name=prefix + "orders", hash_key=dict(name="orderId", type="S"))])


def test_two_stacks_in_one_account_get_their_own_alarm_and_log_group_names(deploy):
    stacks = (("it-side-a", "sidea-"), ("it-side-b", "sideb-"))
    for stack, prefix in stacks:
        run = deploy(extra_vars=declaration(stack, prefix))
        assert run.returncode == 0, run.output
    cloudwatch, logs, cfn = aws_client("cloudwatch"), aws_client("logs"), aws_client("cloudformation")
    for stack, prefix in stacks:
        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        alarms = cloudwatch.describe_alarms(AlarmNamePrefix=stack + "-")["MetricAlarms"]
        assert len(alarms) == 5 and all(alarm["Dimensions"][0]["Value"] == prefix + "orders" for alarm in alarms)
        groups = logs.describe_log_groups(logGroupNamePrefix="/aws/dynamodb/" + stack)["logGroups"]
        assert [group["logGroupName"] for group in groups] == ["/aws/dynamodb/" + stack]
    again = deploy(extra_vars=declaration(*stacks[0]))
    assert again.returncode == 0 and again.changed == 0, again.output
