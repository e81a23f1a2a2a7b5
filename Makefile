# Unrolled: the two commands are `make lab` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL := $(CURDIR)/.local
# Jupyter, IPython and matplotlib keep their config and data inside the checkout. One BLAS
# thread: the course multiplies small matrices, where threads cost far more than they give.
PRIVATE_DIRS := JUPYTER_CONFIG_DIR=$(LOCAL)/jupyter/config JUPYTER_DATA_DIR=$(LOCAL)/jupyter/data \
	JUPYTER_RUNTIME_DIR=$(LOCAL)/jupyter/runtime IPYTHONDIR=$(LOCAL)/ipython \
	MPLCONFIGDIR=$(LOCAL)/matplotlib JUPYTER_PLATFORM_DIRS=1 PYDEVD_DISABLE_FILE_VALIDATION=1 \
	OPENBLAS_NUM_THREADS=1
_MKDIRS := $(shell mkdir -p $(LOCAL)/jupyter/config $(LOCAL)/jupyter/data $(LOCAL)/jupyter/runtime $(LOCAL)/ipython $(LOCAL)/matplotlib)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test lint unit nbval browser notebooks bench student lock clean venv
.PHONY: hub

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
		> $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

## make lab: open the course in JupyterLab on 127.0.0.1 (token-protected).
lab: $(STAMP)
	$(PRIVATE_DIRS) $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ROOT_FLAG) notebooks/00_start_here.ipynb

## make test: lint, unit tests, notebooks under nbval (strict), browser tests.
test: $(STAMP) lint unit nbval browser

lint: $(STAMP)
	$(BIN)/ruff check helpers tests tools benchmarks notebooks/src
	$(BIN)/ruff format --check helpers tests tools benchmarks

unit: $(STAMP)
	$(PRIVATE_DIRS) $(BIN)/python -m pytest -q tests --ignore=tests/browser

# Two notebooks at a time (pytest-xdist, one notebook per worker): the course is 80 s of
# single-threaded kernel time, which the two cores run in about 45 s.
nbval: $(STAMP)
	$(PRIVATE_DIRS) $(BIN)/python -m pytest -q -p no:cacheprovider $(NBVAL) -n 2 --dist loadfile notebooks/*.ipynb

browser: $(STAMP)
	$(PRIVATE_DIRS) $(BIN)/python -m pytest -q tests/browser

## make notebooks: rebuild every notebook from notebooks/src and execute it from a fresh kernel.
notebooks: $(STAMP)
	$(PRIVATE_DIRS) $(BIN)/python tools/nbbuild.py $(NB)

## make student: student versions (solutions stubbed, outputs cleared) in dist/student/.
student: $(STAMP)
	$(BIN)/python tools/student.py

## make bench: course run time, explorer and browser latency, BPTT vs torch, memory (benchmarks/RESULTS.md).
## Some parts only: make bench BENCH="--only explorers,bptt".
bench: $(STAMP)
	$(PRIVATE_DIRS) $(BIN)/python benchmarks/run.py $(BENCH)

## make hub: the course on a real JupyterHub on 127.0.0.1 (demo users, shared password printed),
## notebooks handed out by an nbgitpuller link; HUB="--port 8010" picks another port.
hub: $(STAMP) student
	$(BIN)/python tools/hub/hub.py $(HUB)

lock:
	rm -rf .local/lockvenv && $(PYTHON) -m venv .local/lockvenv
	.local/lockvenv/bin/pip install --quiet -e '.[dev]'
	( echo "# Exact pins for the course environment (runtime + dev + browser tests)."; \
	  echo "# Regenerate: make lock  (then check environment.yml with \`make test\`)."; \
	  .local/lockvenv/bin/pip freeze --exclude-editable | grep -v "^-e"; echo "setuptools==80.9.0" ) > requirements.lock
	$(PYTHON) tools/envyml.py

clean:
	rm -rf $(VENV) .local artifacts dist

## make site: the whole course as a static website in dist/site/ (sliders work with no kernel;
## see README). Installs npm's MathJax into .local/site-npm on first use. SITE="--frames 64".
MATHJAX_VERSION := 4.1.3
SITE_NPM := $(LOCAL)/site-npm
SITE_MATHJAX := $(SITE_NPM)/.mathjax-$(MATHJAX_VERSION)
SITE_INPUTS := $(wildcard notebooks/*.ipynb tools/site.py tools/site_frames.py tools/site_assets/* helpers/explorers/*.py)
.PHONY: site
$(SITE_MATHJAX):
	@command -v npm >/dev/null || { echo "make site needs npm (Debian: apt-get install npm)"; exit 1; }
	mkdir -p $(SITE_NPM) && npm install --prefix $(SITE_NPM) --no-audit --no-fund --ignore-scripts --no-save mathjax@$(MATHJAX_VERSION)
	@touch $@
site: $(STAMP) $(SITE_MATHJAX)
	$(PRIVATE_DIRS) $(BIN)/python tools/site.py $(SITE)
dist/site/index.html: $(STAMP) $(SITE_MATHJAX) $(SITE_INPUTS)
	$(PRIVATE_DIRS) $(BIN)/python tools/site.py $(SITE)
# The browser tests include the website's (tests/browser/test_site.py): build it when stale.
# tests/browser/test_site.py (every site page) and tests/browser/lab_a11y.py (every notebook in
# JupyterLab) run axe-core (npm, its own prefix) in Chromium.
AXE_VERSION := 4.14.1
AXE_NPM := $(LOCAL)/axe-npm
AXE := $(AXE_NPM)/.axe-$(AXE_VERSION)
$(AXE):
	@command -v npm >/dev/null || { echo "the accessibility test needs npm (Debian: apt-get install npm)"; exit 1; }
	mkdir -p $(AXE_NPM) && npm install --prefix $(AXE_NPM) --no-audit --no-fund --ignore-scripts --no-save axe-core@$(AXE_VERSION)
	@touch $@
browser: dist/site/index.html $(AXE)
