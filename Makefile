# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when it is absent.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

.PHONY: demo test bench install
install: $(VENV)/.installed

# demo: train the built-in network, record it, write the one-file deep dive and say where it is.
demo: $(VENV)/.installed
	$(PY) -m glassgrad explain --out runs/explainer.html --record runs/explainer

test: $(VENV)/.installed-test
	$(PY) -m pytest

# The issue-7 table: every workload in glassgrad and PyTorch at 2 threads each, with the BLAS kernel
# chosen as on a user's machine (some machines here pin OPENBLAS_CORETYPE/L2_SIZE for old OpenBLAS
# builds; tests and CI keep them), then per-op overhead on tiny tensors.
bench: $(VENV)/.installed-test
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE BENCH_THREADS=2 $(PY) benchmarks/training.py
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) benchmarks/overhead.py
