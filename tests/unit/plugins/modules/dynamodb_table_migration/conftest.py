"""Fixtures for dynamodb_table_migration: Stubber-backed source and target clients, and a migration factory."""
import pytest

from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate import migration
from ansible_collections.aichef.dynamodb.plugins.module_utils._migrate.preflight import build_plan
from ansible_collections.aichef.dynamodb.tests.unit.utils import migration_stubs as stubs


@pytest.fixture
def source_stub():
    """(client, stubber) for the source table; teardown asserts every queued response was used."""
    # pytest resumes the fixture at teardown, so the context exits.
    with stubs.stubbed_dynamodb() as pair:  # pylint: disable=contextmanager-generator-missing-cleanup
        yield pair


@pytest.fixture
def target_stub():
    # pytest resumes the fixture at teardown, so the context exits.
    with stubs.stubbed_dynamodb() as pair:  # pylint: disable=contextmanager-generator-missing-cleanup
        yield pair


class FirstChoices:
    """A predictable rng: sample() takes the first k, uniform() the upper bound; the sleeps are recorded."""

    def __init__(self):
        self.sleeps = []

    def sample(self, population, k):
        return list(population)[:k]

    def uniform(self, low, high):
        return high

    def sleep(self, seconds):
        self.sleeps.append(seconds)


@pytest.fixture
def make_migration(source_stub, target_stub, tmp_path):
    """make_migration(check_mode=False, should_stop=None, clock=None, **option_overrides) -> TableMigration on the
    stubs.

    The checkpoint goes to tmp_path/checkpoint.json unless checkpoint_path is overridden.
    """
    def make(check_mode=False, should_stop=None, clock=None, **overrides):
        """clock: a FakeClock that the run reads and sleeps on (capacity limits wait on it), else real time
        with the sleeps only recorded."""
        overrides.setdefault("checkpoint_path", str(tmp_path / "checkpoint.json"))
        params = stubs.migration_params(**overrides)
        plan = build_plan(params, stubs.identity(params["source_table"], params["target_table"]))
        choices = FirstChoices()
        timing = dict(sleep=clock.sleep, clock=clock) if clock else dict(sleep=choices.sleep)
        return migration.TableMigration(source_stub[0], target_stub[0], plan, check_mode=check_mode,
                                        rng=choices, should_stop=should_stop, **timing)
    return make
