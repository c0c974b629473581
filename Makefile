# The whole set-up is two commands: `make tour` and `make test`. Both create .venv when it is missing
# and install into it; running them again installs nothing new.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
OUT ?= descentlab-out

.PHONY: tour test lint bench clean-venv sandbox-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

tour: $(VENV)/.installed
	$(BIN)/descentlab tour --out $(OUT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)

# The grader runs learner code in a bubblewrap sandbox (README "The grader"); its tests need it.
sandbox-tools:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "install bubblewrap (apt-get install bubblewrap) for the grader's sandbox" >&2; fi; }

test: lint sandbox-tools
	$(BIN)/python -m pytest -n 2

# Benchmarks print a table and write bench-out/results.json; QUICK=1 runs small sizes.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run_all.py $(if $(QUICK),--quick) $(BENCH)

clean-venv:
	rm -rf $(VENV)
