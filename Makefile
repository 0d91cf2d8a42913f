# Every target sets up what it needs: a fresh machine runs `make demo` or `make test` directly.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# apt-get only when we are root and the tool is missing; otherwise say what to install.
APT    := $(if $(filter 0,$(shell id -u)),DEBIAN_FRONTEND=noninteractive apt-get,)

.PHONY: demo test bench docs lint system-deps clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.demo: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[viz]'
	touch $@

$(VENV)/.docs: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@ $(VENV)/.demo

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.demo $(VENV)/.docs

system-deps:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ -n "$(APT)" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    $(APT) update -qq && $(APT) install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing:$$missing (install them with your package manager, e.g. sudo apt-get install$$missing)"; \
	  fi; \
	fi

demo: $(VENV)/.demo
	@command -v dot >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	$(PY) -m nn.demo $(ARGS)

test: $(VENV)/.dev system-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest $(ARGS)

# The documentation site, in build/site/ (open build/site/index.html). Sphinx rebuilds only what
# changed: an edited notebook is executed again, a change to autograd/ or nn/ re-executes them all.
docs: $(VENV)/.docs
	@command -v dot >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	$(PY) -m sphinx -b html -q -c docs -d build/doctrees . build/site $(ARGS)
	@echo "The site is in build/site/: open build/site/index.html"

bench: $(VENV)/.dev
	$(PY) benchmarks/bench.py $(ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache build
