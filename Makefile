# Entry points for people and CI; `make help` lists them. README explains each.
SHELL := /bin/bash
VENV := .venv
RASA := $(VENV)/bin/rasa
PYTHON := $(VENV)/bin/python
MODEL := models/clinic.tar.gz
# Rasa reports usage and errors to its own servers unless told not to: not for a health service.
export RASA_TELEMETRY_ENABLED := false
# What the model learns from: a channel, console or script edit does not retrain.
MODEL_INPUTS := config.yml domain.yml addons/__init__.py \
	$(shell find data addons/nlu addons/crisis -name '*.yml' -o -name '*.py' 2>/dev/null)

.PHONY: help install install-runtime run shell train validate check publish undo catalogue \
	test test-unit lint types format browser vendor-web bench evaluate curves compare-encoders lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv with both locks, and Debian's nginx if missing

# install_services.sh: Debian's nginx (make run's public edge) and systemd-analyze, if missing.
$(VENV)/.installed: requirements.lock requirements-dev.lock requirements-models.lock \
		scripts/install.sh scripts/install_services.sh
	bash scripts/install.sh
	bash scripts/install_services.sh
	touch $@

install-runtime: ## a deployment: .venv with requirements.lock only, and nginx
	bash scripts/install.sh --runtime-only
	bash scripts/install_services.sh

train: $(MODEL) ## train models/clinic.tar.gz if what the model learns from changed

$(MODEL): $(MODEL_INPUTS) | install
	$(RASA) train --fixed-model-name clinic --out models
	touch $@

# run.sh trains itself: it falls back to the last published version if content/ or data/ is broken.
run: install ## start everything (nginx, Rasa, the action server, the demo page), supervised
	bash scripts/run.sh

shell: install ## talk to the bot in the terminal (rasa shell)
	bash scripts/run.sh --shell

validate: install ## rasa data validate --fail-on-warning
	$(RASA) data validate --fail-on-warning

check: install ## the content check for staff
	@$(PYTHON) -m scripts.publishing.check_content

publish: install ## check, train, test and swap the new answers into the running bot
	@$(PYTHON) -m scripts.publishing.publish

undo: install ## put back and publish the version before the last publish
	@$(PYTHON) -m scripts.publishing.publish --undo

catalogue: install ## write build/catalogue.html, every answer for clinicians to review
	@$(PYTHON) -m scripts.publishing.catalogue

test: check browser ## everything: lint, types, unit while the model trains, then the rest on 2 workers
	bash scripts/test.sh

test-unit: install ## the pure, in-process tests (under a minute)
	$(PYTHON) -m pytest -m unit -q

lint: install ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: install ## mypy
	$(VENV)/bin/mypy

format: install ## ruff format and the import order, in place
	$(VENV)/bin/ruff check --select I --fix .
	$(VENV)/bin/ruff format .

browser: ## Debian's chromium for the browser tests, if missing
	bash scripts/install_browser.sh

vendor-web: ## refresh the chat widget's vendored socket.io-client build (needs npm)
	bash scripts/vendor_web.sh

bench: install ## benchmark against Rasa's default config on the same data (several minutes)
	$(PYTHON) -m scripts.measuring.bench

evaluate: train ## measure the assistant and two baselines on a held-out set (SET=set7)
	$(PYTHON) -m scripts.measuring.evaluate_blind --name $(or $(SET),set7) --out results/blind_$(or $(SET),set7).json

curves: train ## plot accuracy vs coverage and the crisis score's precision/recall (results/*.png)
	$(PYTHON) -m scripts.measuring.curves

compare-encoders: install ## compare the sentence encoders on the development set (set 6)
	$(PYTHON) -m pip install --quiet --no-deps --require-hashes -r requirements-compare.lock
	$(PYTHON) -m scripts.measuring.compare_encoders

lock: install ## rewrite both locks from .venv after a deliberate upgrade
	$(PYTHON) -m scripts.lock
