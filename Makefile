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

# Whole training steps at 1 and 2 threads (the ratios that matter), then per-op overhead.
bench: $(VENV)/.installed-test
	BENCH_THREADS=1 $(PY) benchmarks/training.py
	BENCH_THREADS=2 $(PY) benchmarks/training.py
	$(PY) benchmarks/overhead.py
