# Two entry points (README): `make run` and `make test`. Both build/refresh .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test venv lint bench docs web-setup validate clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "clustersim needs Python >= 3.12 (found " + sys.version.split()[0] + "); see .python-version")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/clustersim run --preset county --policy self_improving --policy local_authority \
		--policy superintendent --seed 1 --years 10 --out results/default

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

validate: venv
	$(BIN)/clustersim validate --out results/validation

# the generated references: regenerate after changing model/ or agents/ (tests check them)
docs: venv
	$(BIN)/clustersim params --markdown > docs/parameters.md
	$(BIN)/clustersim odd --markdown > docs/ODD.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
