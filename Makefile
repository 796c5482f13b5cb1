# The two README commands. Each sets up what it needs on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Reinstall when the dependency list changes.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
OUT ?= out

.PHONY: run test setup clean bench ui

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools wheel
	# pip (not uv/poetry) so the local CPU torch wheel is picked for torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,scale]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: setup
	$(BIN)/workout-pipeline demo --out $(OUT)

# The Dagster UI on what `make run` built (bound to 127.0.0.1); the demo prints the same command.
ui: setup
	cd $(OUT) && DAGSTER_HOME=$$PWD/dagster_home WORKOUT_PIPELINE_STORAGE=$$PWD/storage \
		WORKOUT_PIPELINE_INBOX=$$PWD/inbox $(CURDIR)/$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m workout_pipeline.definitions

test: setup
	@bash scripts/ensure_chromium.sh  # for the UI screenshot test; harmless where it cannot install
	$(BIN)/python -m pytest -n 2 -q

bench: setup
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/simulate.py
	$(BIN)/python benchmarks/catalog.py
	$(BIN)/python benchmarks/train.py
	$(BIN)/python benchmarks/program.py
	$(BIN)/python benchmarks/end_to_end.py
	$(BIN)/python benchmarks/scaleout.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
