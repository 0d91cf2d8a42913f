# Every target sets up what it needs: a fresh machine runs `make demo` or `make test` directly.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# apt-get only when we are root and the tool is missing; otherwise say what to install.
APT    := $(if $(filter 0,$(shell id -u)),DEBIAN_FRONTEND=noninteractive apt-get,)

# The live page (gradstep in the browser): these versions are pinned here and only here. npm and
# pip fetch them into build/live-fetch/ (never committed); docs/live/pack.py lays out build/live/.
PYODIDE_VERSION  := 0.29.3
VIZ_VERSION      := 3.31.0
GRAPHVIZ_VERSION := 0.21
TQDM_VERSION     := 4.67.1
FETCHED          := build/live-fetch

.PHONY: demo test bench docs live lint system-deps clean

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
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
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

test: $(VENV)/.dev system-deps live
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest $(ARGS)

# The documentation site, in build/site/ (open build/site/index.html). Sphinx rebuilds only what
# changed: an edited notebook is executed again, a change to autograd/ or nn/ re-executes them all.
docs: $(VENV)/.docs live
	@command -v dot >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	$(PY) -m sphinx -b html -q -c docs -d build/doctrees . build/site $(ARGS)
	@echo "The site is in build/site/: open build/site/index.html"

# The live page alone, in build/live/ (open build/live/index.html): what tests/live use, and what
# `make docs` copies into the site. The npm packages are fetched once per version.
$(FETCHED)/npm/.pyodide-$(PYODIDE_VERSION)-viz-$(VIZ_VERSION):
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps
	rm -rf $(FETCHED)/npm && mkdir -p $(FETCHED)/npm/pyodide $(FETCHED)/npm/viz
	cd $(FETCHED)/npm && npm pack --silent pyodide@$(PYODIDE_VERSION) @viz-js/viz@$(VIZ_VERSION) >/dev/null
	tar -xzf $(FETCHED)/npm/pyodide-$(PYODIDE_VERSION).tgz -C $(FETCHED)/npm/pyodide
	tar -xzf $(FETCHED)/npm/viz-js-viz-$(VIZ_VERSION).tgz -C $(FETCHED)/npm/viz
	touch $@

$(FETCHED)/wheels/.graphviz-$(GRAPHVIZ_VERSION)-tqdm-$(TQDM_VERSION): | $(VENV)/bin/python
	rm -rf $(FETCHED)/wheels && mkdir -p $(FETCHED)/wheels
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: -d $(FETCHED)/wheels \
	  graphviz==$(GRAPHVIZ_VERSION) tqdm==$(TQDM_VERSION)
	touch $@

# Python's memory after start-up (the page starts from it in about a second), made with node.
$(FETCHED)/snapshot.bin: $(FETCHED)/npm/.pyodide-$(PYODIDE_VERSION)-viz-$(VIZ_VERSION) docs/live/snapshot.js
	node docs/live/snapshot.js $(FETCHED)/npm/pyodide/package $@

live: $(FETCHED)/snapshot.bin $(FETCHED)/wheels/.graphviz-$(GRAPHVIZ_VERSION)-tqdm-$(TQDM_VERSION)
	rm -f $(FETCHED)/wheels/gradstep-*.whl
	$(PY) -m pip wheel --quiet --no-deps -w $(FETCHED)/wheels .
	$(PY) docs/live/pack.py $(FETCHED) build/live

bench: $(VENV)/.dev
	$(PY) benchmarks/bench.py --markdown benchmarks/RESULTS.md $(ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache build
