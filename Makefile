# Two entry points (README): `make run` and `make test`. Both build/refresh .venv themselves.
# `make run` installs only what running needs (the package); `make test` adds the test,
# browser and notebook tools (the dev extras).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-stamp
STAMP  := $(VENV)/.installed-stamp
RUN_OUT ?= results/default

.PHONY: run test venv lint bench docs web-setup validate clean

CHECK_PY := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "clustersim needs Python >= 3.12 (found " + sys.version.split()[0] + "); see .python-version")'

$(RUN_STAMP): pyproject.toml
	@$(CHECK_PY)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $(RUN_STAMP)

# the dev install includes everything running needs: it stamps both
$(STAMP): pyproject.toml
	@$(CHECK_PY)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

venv: $(STAMP)

# the three core policies on the county, 10 common-random-number replicates: a ranked
# table with 95% intervals, then report.html for the folder
run: $(RUN_STAMP)
	$(BIN)/clustersim run --preset county --policy self_improving --policy local_authority \
		--policy superintendent --seed 1 --years 10 --replicates 10 --out $(RUN_OUT)
	$(BIN)/clustersim report $(RUN_OUT)

web-setup: venv
	$(BIN)/python scripts/setup_web.py

test: venv web-setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_agents.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_speed.py

validate: venv
	$(BIN)/clustersim validate --out results/validation

# the generated references (and model/param_values.py): regenerate after changing model/ or
# agents/ (tests check them)
docs: venv
	$(BIN)/python scripts/update_params_class.py
	$(BIN)/clustersim params --markdown > docs/parameters.md
	$(BIN)/clustersim odd --markdown > docs/ODD.md
	$(BIN)/clustersim specs --markdown > docs/specs.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
