# First contact: `make study` answers the headline question, `make test` runs the tests.
# Both first make sure .venv holds the pinned install (the package, its test tools and the
# `live` extra, so that `backtest data update` works); it is (re)installed only when it is
# missing or when pyproject.toml or constraints.txt changed since (their SHA-256 is kept in
# .venv/.install-stamp). setuptools' one note on an editable install whose studies/ folder is
# installed under another package name (backtest_studies) is informational and filtered, so
# the install prints nothing unless something fails.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
INSTALL_KEY := $(shell cat pyproject.toml constraints.txt | $(PYTHON) -c "import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())")
HEADLINE := russell2000-golden-cross
EXTRAS := test,live
export MPLBACKEND ?= Agg

.PHONY: help venv study claims test test-fast bench lint docs clean-venv

help:
	@echo "make study       set up $(VENV) if needed, run the $(HEADLINE) study, print its answer"
	@echo "make claims      run every gallery spec (studies/claims/*.toml; a study's own spec runs with it) into results/claims/"
	@echo "make test        set up $(VENV) if needed, lint, then run the tests (python -m pytest -q -n auto --dist loadscope)"
	@echo "make test-fast   the tests without those marked slow"
	@echo "make bench       numba Monte Carlo vs numpy, our sweep vs vectorbt (prints timings)"
	@echo "make lint        ruff check, ruff format --check and mypy (configured in pyproject.toml)"
	@echo "make docs        API reference from the docstrings (pdoc) into docs/api/"
	@echo "make clean-venv  remove $(VENV)"

venv:
	@if [ ! -x "$(BIN)/python" ] || [ "$$(cat $(STAMP) 2>/dev/null)" != "$(INSTALL_KEY)" ]; then \
		echo "Setting up $(VENV): pinned install of backtest, its test tools and yfinance (once, about a minute)"; \
		[ -x "$(BIN)/python" ] || $(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --upgrade pip && \
		PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
			$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]" && \
		echo "$(INSTALL_KEY)" > $(STAMP); \
	fi

# The study says where it writes and which data it read, then prints its answer.
study: venv
	@$(BIN)/python -m backtest.cli study $(HEADLINE)

claims: venv
	$(BIN)/python -m backtest.cli claim run-all --output-dir results/claims

test: venv lint
	$(BIN)/python -m pytest -q -n auto --dist loadscope

test-fast: venv
	$(BIN)/python -m pytest -q -m "not slow"

bench: venv
	$(BIN)/python -m backtest.cli bench montecarlo --output $(VENV)/bench/montecarlo.json
	$(BIN)/python -m backtest.cli bench sweep --output $(VENV)/bench/sweep.json

lint: venv
	$(BIN)/ruff check backtest studies tests
	$(BIN)/ruff format --check backtest studies tests
	$(BIN)/mypy

docs: venv
	$(BIN)/python -m pdoc --docformat numpy -o docs/api backtest
	@echo "API reference: docs/api/index.html"

clean-venv:
	rm -rf $(VENV)
