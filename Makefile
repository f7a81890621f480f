# nnplay: two commands. `make run` sets up and serves; `make test` sets up and tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

# In development the MNIST files sit beside the repo (../shared/datasets/mnist);
# elsewhere NNPLAY_DATA_DIR or the user data dir (downloads land there).
SHARED_MNIST := $(abspath ../shared/datasets/mnist)
ifneq ($(wildcard $(SHARED_MNIST)/train-images-idx3-ubyte.gz),)
export NNPLAY_DATA_DIR ?= $(SHARED_MNIST)
endif

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m server --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/speed.py
	$(PY) bench/nielsen.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
