# -*- coding: utf-8 -*-
# Copyright: Contributors to the aichef.dynamodb collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs of the transform job on AWS Glue and on EMR Serverless: one class per service, the same four methods.

check() reads the job or application (read only, so check mode may call it), start() starts a run and returns its
id, find() returns the id of a run started with a token whose answer was lost (None if there is none), state()
returns a RunState. The job's arguments are the same `--name value` list for both: Glue receives them as the run's
Arguments, EMR Serverless as entryPointArguments.
"""

import collections

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import call
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import error_code
from ansible_collections.aichef.dynamodb.plugins.module_utils._common.aws import pages

NOT_FOUND = error_code("EntityNotFoundException", "ResourceNotFoundException")
# done: the run ended; succeeded: it ended well. message: the service's own words on how it ended.
RunState = collections.namedtuple("RunState", "state done succeeded message")
GLUE_DONE = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED")
EMR_DONE = ("SUCCESS", "FAILED", "CANCELLED")
# Glue keeps a job's runs for 90 days; a lost answer is looked for among the most recent ones only.
FIND_PAGES = 5


class SparkRunError(AnsibleAWSError):
    """A Glue or EMR Serverless call failed, or the job or application cannot run the transform."""


def argument_pairs(arguments):
    """[(name, value)] -> ["--name", "value", ...]"""
    return [text for name, value in arguments for text in ("--" + name, value)]


class GlueRuns:
    engine = "glue"

    def __init__(self, client, job_name):
        self.client, self.job_name = client, job_name
        self.what = "Glue job %s" % job_name

    def check(self):
        """The job's script location (its Command.ScriptLocation), where the module uploads the job's script."""
        job = call(self.client.get_job, SparkRunError, "Failed to read Glue job %s" % self.job_name, absent=NOT_FOUND,
                   JobName=self.job_name)
        if job is None:
            raise SparkRunError(message="Glue job %s does not exist: create a Spark job (glueetl, Glue 5.0) whose "
                                        "script location the module may write (see docs/migrate.md)" % self.job_name)
        command = job["Job"].get("Command", {})
        if command.get("Name") != "glueetl" or not command.get("ScriptLocation"):
            raise SparkRunError(message="Glue job %s is not a Spark job (Command.Name %s, not glueetl)" % (
                self.job_name, command.get("Name")))
        return dict(script_location=command["ScriptLocation"], glue_version=job["Job"].get("GlueVersion"))

    def start(self, script_uri, py_files_uri, arguments, token):
        del script_uri  # the job's own script location, which check() returned
        run_arguments = dict(("--" + name, value) for name, value in arguments)
        run_arguments.update({"--extra-py-files": py_files_uri, "--run_token": token})
        return call(self.client.start_job_run, SparkRunError, "Failed to start a run of Glue job %s" % self.job_name,
                    JobName=self.job_name, Arguments=run_arguments)["JobRunId"]

    def find(self, token):
        """Glue has no client token: the run is found by the --run_token argument it was started with."""
        for response in pages(self.client.get_job_runs, SparkRunError, "Failed to list the runs of Glue job %s" % (
                self.job_name), max_pages=FIND_PAGES, JobName=self.job_name):
            for run in response.get("JobRuns", []):
                if run.get("Arguments", {}).get("--run_token") == token:
                    return run["Id"]
        return None

    def state(self, run_id):
        run = call(self.client.get_job_run, SparkRunError, "Failed to read run %s of Glue job %s" % (
            run_id, self.job_name), JobName=self.job_name, RunId=run_id)["JobRun"]
        state = run.get("JobRunState", "")
        return RunState(state, state in GLUE_DONE, state == "SUCCEEDED", run.get("ErrorMessage", ""))


class EmrServerlessRuns:
    engine = "emr_serverless"

    def __init__(self, client, application_id, role_arn, name):
        self.client, self.application_id, self.role_arn, self.name = client, application_id, role_arn, name
        self.what = "EMR Serverless application %s" % application_id

    def check(self):
        application = call(self.client.get_application, SparkRunError, "Failed to read EMR Serverless application "
                           "%s" % self.application_id, absent=NOT_FOUND, applicationId=self.application_id)
        if application is None:
            raise SparkRunError(message="EMR Serverless application %s does not exist" % self.application_id)
        application = application["application"]
        if application.get("type", "").upper() != "SPARK" or application.get("state") == "TERMINATED":
            raise SparkRunError(message="EMR Serverless application %s cannot run the job: type %s, state %s (a "
                                        "Spark application, not TERMINATED)" % (
                                            self.application_id, application.get("type"), application.get("state")))
        return dict(release_label=application.get("releaseLabel"))

    def start(self, script_uri, py_files_uri, arguments, token):
        driver = dict(entryPoint=script_uri, entryPointArguments=argument_pairs(arguments),
                      sparkSubmitParameters="--py-files %s" % py_files_uri)
        return call(self.client.start_job_run, SparkRunError, "Failed to start a job run on EMR Serverless "
                    "application %s" % self.application_id, applicationId=self.application_id, clientToken=token,
                    executionRoleArn=self.role_arn, name=self.name, jobDriver=dict(sparkSubmit=driver))["jobRunId"]

    def find(self, token):
        del token  # StartJobRun's clientToken: starting again with it answers the run already started
        return None

    def state(self, run_id):
        run = call(self.client.get_job_run, SparkRunError, "Failed to read job run %s of EMR Serverless application "
                   "%s" % (run_id, self.application_id), applicationId=self.application_id, jobRunId=run_id)["jobRun"]
        state = run.get("state", "")
        return RunState(state, state in EMR_DONE, state == "SUCCESS", run.get("stateDetails", ""))


def spark_runs_for(spark_plan, target_table, client):
    """The runs of spark_plan's engine; client(service) makes the service's client (on first use, ideally)."""
    if spark_plan.engine == "glue":
        return GlueRuns(client("glue"), spark_plan.glue_job_name)
    # A run's name: which migration it belongs to, in the EMR Studio and ListJobRuns.
    return EmrServerlessRuns(client("emr-serverless"), spark_plan.application_id, spark_plan.execution_role_arn,
                             "aichef-transform-%s" % target_table)
