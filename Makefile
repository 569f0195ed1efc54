# make run: set up .venv and start the app at http://127.0.0.1:8050 (DiskcacheManager).
# make test: set up .venv and the system packages the tests need, then run every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint system-deps bench bench-env clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(STAMP)
	$(BIN)/lstm-lab

# Debian's Chromium (browser tests) and redis-server (Celery tests), when missing and root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing:$$missing (run as root, or install them, for the browser tests)"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check dashboard callbacks tests bench
	$(BIN)/ruff format --check dashboard callbacks tests bench
	$(BIN)/mypy

test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest --durations=25

bench: $(STAMP)
	$(BIN)/python bench/bench_training.py
	$(BIN)/python bench/bench_browser.py

# The bench's own environment for the hand-written PyTorch loop of ../shared/bench (torch is
# never a dependency of the project): bench/bench_backends.py runs it.
TORCH_VENV := bench/.venv-torch
bench-env: $(TORCH_VENV)/.installed-stamp
$(TORCH_VENV)/.installed-stamp:
	$(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TORCH_VENV)/bin/python -m pip install --quiet "torch==2.13.0" numpy scikit-learn
	touch $@

clean:
	rm -rf $(VENV) $(TORCH_VENV) .pytest_cache .mypy_cache .ruff_cache .pytest_artifacts
