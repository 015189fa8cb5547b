# Two commands for a new user: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app toolkit
ifdef DATABASE_URL
export DATABASE_URL
endif

.PHONY: run test setup system-libs db bench clean

run: setup db
	@$(FLASK) seed-demo --if-empty
	@echo ""
	@echo "  toolkit is at http://$(HOST):$(PORT)"
	@echo "  Demo login: demo@example.org / demo-practice-2026 (admin: admin@example.org, same password)"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup
	@sh scripts/system-libs.sh --browser-optional
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/pages.py

setup: system-libs $(VENV)/.installed instance/config.py

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

system-libs:
	@sh scripts/system-libs.sh

# The keys are secrets: instance/ is 0700 and config.py 0600 (umask 077), written whole or not at all.
# RECORDS_KEY keys the audit chain and signed notes, apart from the database.
instance/config.py:
	@umask 077 && mkdir -p instance && chmod 700 instance && \
	  $(PYTHON) -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32)); print('RECORDS_KEY = %r' % secrets.token_hex(32))" > $@.tmp && \
	  mv $@.tmp $@
	@echo "Wrote $@ with new keys."

db: setup
	$(FLASK) db upgrade

clean:
	rm -rf $(VENV) instance/cache
