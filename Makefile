# The whole set-up is two commands: `make tour` and `make test`. Both create .venv when it is missing
# and install into it; running them again installs nothing new.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
OUT ?= descentlab-out

.PHONY: tour test test-numeric lint bench clean-venv system-tools

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
	$(BIN)/lint-imports --no-cache

# System programs the tests drive for real: bubblewrap (the grader's sandbox, README "The grader"),
# Debian's chromium (the interactive report, tested in a headless browser) and a PostgreSQL server
# (sweeps shared by several machines). Installed with apt where missing and where we are root;
# otherwise the line says what to install.
SYSTEM_TOOLS := bwrap:bubblewrap chromium:chromium pg_ctl:postgresql
system-tools:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  cmd=$${pair%%:*}; pkg=$${pair#*:}; \
	  command -v $$cmd >/dev/null || ls /usr/lib/postgresql/*/bin/$$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "install$$missing (apt-get install$$missing) for the tests that drive them" >&2; fi; \
	fi

test: lint system-tools
	$(BIN)/python -m pytest -n 2
	$(MAKE) --no-print-directory test-numeric

# NOTE [numeric environments]: the last bits of a float result depend on the SIMD width of the
# kernels (NumPy's own, the BLAS kernel OpenBLAS or MKL picks for the CPU, torch's ATen kernels)
# and on thread counts, so a test that holds on one machine can fail on another (SPEC §6).
# test-numeric runs the numerically sensitive tests twice more: as on an older x86 CPU (NumPy
# without AVX2/AVX-512, OpenBLAS's Sandy Bridge kernels, MKL without AVX, torch's plain kernels)
# and with a thread count unlike the default one (a TensorFlow float32 learner: without oneDNN's
# kernels, TF_ENABLE_ONEDNN_OPTS=0, which the grader passes into its sandbox). NumPy refuses to
# disable features it does not know (names of NumPy 2.x, whose x86 wheels have the baseline
# X86_V2), so the CPU variables are set on x86-64 only. Under a minute per run on 2 cores.
NUMERIC_TESTS := tests/linear tests/grade/test_grade_tolerance.py tests/grade/test_grade_cases.py \
	tests/grade/test_grade_compare.py tests/grade/test_grade_diagnose.py \
	tests/grade/test_grade_corpus.py::test_correct_submissions_pass_on_five_seeds \
	tests/grade/test_grade_learners.py::test_correct_learners_pass_on_five_seeds \
	'tests/grade/test_grade_tf.py::test_correct_tf_learners_pass_on_five_seeds[tape_function_float32.py]'
ifeq ($(shell uname -m),x86_64)
OLD_CPU_ENV := NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4" OPENBLAS_CORETYPE=Sandybridge \
	MKL_ENABLE_INSTRUCTIONS=SSE4_2 ATEN_CPU_CAPABILITY=default TF_ENABLE_ONEDNN_OPTS=0
else
OLD_CPU_ENV := ATEN_CPU_CAPABILITY=default TF_ENABLE_ONEDNN_OPTS=0
endif
# one thread where the default is several, three on a one-core machine
THREADS := $(if $(filter 1,$(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)),3,1)
THREADS_ENV := OPENBLAS_NUM_THREADS=$(THREADS) OMP_NUM_THREADS=$(THREADS) MKL_NUM_THREADS=$(THREADS)

test-numeric: $(VENV)/.installed-test
	env $(OLD_CPU_ENV) $(BIN)/python -m pytest -n 2 -q $(NUMERIC_TESTS)
	env $(THREADS_ENV) $(BIN)/python -m pytest -n 2 -q $(NUMERIC_TESTS)

# Benchmarks print a table and write bench-out/results.json; QUICK=1 runs small sizes.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run_all.py $(if $(QUICK),--quick) $(BENCH)

clean-venv:
	rm -rf $(VENV)
