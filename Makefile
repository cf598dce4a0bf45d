# Two commands do everything: `make deploy` and `make test`. Both install what they need first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
EMULATOR_VENV := .venv-emulator
# checkov has its own venv: in the dev venv it would downgrade boto3, packaging and pytest.
CHECKOV_VENV := .venv-checkov
# The PySpark transform job's local runs (tests/integration/test_spark_job.py): pyspark (a 317 MB sdist) in its own venv.
SPARK_VENV := .venv-spark
BIN := $(CURDIR)/$(VENV)/bin
EMULATOR_PORT ?= 4566
# make test runs its own emulators on these ports, so a `make deploy` emulator on 4566 is never touched.
TEST_PORT_INTEGRATION ?= 4580
TEST_PORT_MOLECULE ?= 4581
TEST_PORT_COLLECTION ?= 4582

export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)

.PHONY: help install deploy verify emulator-start emulator-stop test checks lint sanity unit integration molecule collection release benchmark clean

help:
	@echo "make deploy   install, start the local emulator, deploy the stack and verify it"
	@echo "make test     install and run every test layer (lint, sanity, unit, integration, molecule, collection)"
	@echo "make release  build the collection tarball for galaxy.yml's version, install it in a temporary path, check it loads"

# --- installation ---------------------------------------------------------------------------------------
# --no-compile: Python compiles what it imports on first use; compiling every file at install took 14% of it.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	touch $@

# Module tasks import their code from the AnsiballZ zip, which Python compiles anew in every task: the venv caches
# that compiled code (scripts/zipimport_code_cache.py says why and how).
$(VENV)/.zipimport-cache: scripts/zipimport_code_cache.py $(VENV)/.installed
	$(BIN)/python scripts/zipimport_code_cache.py --install
	touch $@

$(EMULATOR_VENV)/.installed: requirements-emulator.txt
	$(PYTHON) -m venv $(EMULATOR_VENV)
	$(EMULATOR_VENV)/bin/pip install --quiet --disable-pip-version-check --no-compile -r requirements-emulator.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check --no-compile -r requirements-checkov.txt
	touch $@

$(SPARK_VENV)/.installed: requirements-spark.txt
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --disable-pip-version-check --no-compile -r requirements-spark.txt
	touch $@

.collections/.installed: scripts/install-collections.sh $(VENV)/.installed
	PIP=$(BIN)/pip scripts/install-collections.sh
	touch $@

install: $(VENV)/.installed $(VENV)/.zipimport-cache $(EMULATOR_VENV)/.installed $(CHECKOV_VENV)/.installed \
	$(SPARK_VENV)/.installed .collections/.installed

# --- the local stack ------------------------------------------------------------------------------------
emulator-start: install
	$(PYTHON) scripts/emulator.py start --port $(EMULATOR_PORT)

emulator-stop:
	$(PYTHON) scripts/emulator.py stop --port $(EMULATOR_PORT)

deploy: emulator-start
	AICHEF_EMULATOR_PORT=$(EMULATOR_PORT) ansible-playbook -i inventories/local playbooks/deploy-dynamodb.yml
	AICHEF_EMULATOR_PORT=$(EMULATOR_PORT) ansible-playbook -i inventories/local playbooks/verify-dynamodb.yml

verify: emulator-start
	AICHEF_EMULATOR_PORT=$(EMULATOR_PORT) ansible-playbook -i inventories/local playbooks/verify-dynamodb.yml

# --- tests ----------------------------------------------------------------------------------------------
# Two lanes on the machine's cores: the integration tests (one pytest-xdist worker per core) beside the other
# layers one after the other; each lane's output is printed whole when it ends. Installing the four venvs at once
# overlaps their downloads and unpacking.
test:
	$(MAKE) --no-print-directory -j3 install
	$(MAKE) --no-print-directory -j2 --output-sync=recurse integration checks

checks: install
	$(MAKE) --no-print-directory -j1 lint sanity unit molecule collection

lint: install
	ansible-lint --profile production
	cfn-lint files/*.yaml
	rm -rf .run/rendered && $(BIN)/python scripts/render_templates.py .run/rendered
	cfn-lint .run/rendered/*.yaml
	$(BIN)/python scripts/security_scan.py $(CHECKOV_VENV)/bin/checkov files/dynamodb-schema.yaml .run/rendered/*.yaml
	$(BIN)/python scripts/role_readme.py --check
	antsibull-changelog lint
	actionlint
	rm -rf .run/policies && $(BIN)/python scripts/render_policies.py .run/policies
	parliament --directory .run/policies && cfn-lint .run/policies/*.yaml

# ansible-test sanity from a temporary ansible_collections/aichef/dynamodb copy (scripts/sanity.sh).
sanity: install
	scripts/sanity.sh

unit: install
	pytest tests/unit

integration: install
	AICHEF_EMULATOR_PORT=$(TEST_PORT_INTEGRATION) pytest tests/integration -n auto --dist loadgroup --durations=15

molecule: install
	$(PYTHON) scripts/emulator.py run --port $(TEST_PORT_MOLECULE) -- molecule test

collection: install
	AICHEF_EMULATOR_PORT=$(TEST_PORT_COLLECTION) tests/collection/build_install_use.sh

release: install
	scripts/release.sh

benchmark: install
	$(BIN)/python benchmarks/deploy_ratios.py
	$(BIN)/python benchmarks/render_tables.py
	$(BIN)/python benchmarks/settle_notice.py
	$(BIN)/python benchmarks/migrate.py --rtt-ms 10

clean: emulator-stop
	rm -rf $(VENV) $(EMULATOR_VENV) $(CHECKOV_VENV) $(SPARK_VENV) .collections .run reports dist
