# eDoc — two commands: `make run` (embedded demo) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format messages deps services clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
		{ echo "eDoc needs Python 3.11 (Debian 12: apt-get install python3 python3-venv)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Install python3-venv first: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# The demo's payment providers are TEST ones: VNPAY and MoMo are the stand-in of
# tools/payment_standin on 127.0.0.1:$(STANDIN_PORT) (never moves money), VietQR a demo account;
# the citizen's page labels them "Cổng thanh toán thử nghiệm". Production never sets these.
STANDIN_PORT ?= 8770
STANDIN := http://127.0.0.1:$(STANDIN_PORT)
DEMO_VNPAY_SECRET := demo-vnpay-secret-not-for-production
DEMO_MOMO_ACCESS := demo-momo-access
DEMO_MOMO_SECRET := demo-momo-secret-not-for-production
DEMO_PAYMENTS := EDOC_PAYMENT_TEST_PROVIDERS=1 EDOC_PUBLIC_BASE_URL=http://$(HOST):$(PORT) \
	VNPAY_TMN_CODE=EDOCDEMO VNPAY_HASH_SECRET=$(DEMO_VNPAY_SECRET) \
	VNPAY_PAYMENT_URL=$(STANDIN)/vnpay/paymentv2/vpcpay.html \
	VNPAY_API_URL=$(STANDIN)/vnpay/merchant_webapi/api/transaction \
	MOMO_PARTNER_CODE=MOMOEDOC MOMO_ACCESS_KEY=$(DEMO_MOMO_ACCESS) \
	MOMO_SECRET_KEY=$(DEMO_MOMO_SECRET) MOMO_ENDPOINT=$(STANDIN)/momo \
	VIETQR_BANK_BIN=970436 VIETQR_ACCOUNT_NUMBER=0071000123456 \
	VIETQR_ACCOUNT_NAME="SO Y TE (TAI KHOAN THU NGHIEM)"
STANDIN_ARGS := --port $(STANDIN_PORT) --vnpay-tmn EDOCDEMO --vnpay-secret $(DEMO_VNPAY_SECRET) \
	--vnpay-ipn-url http://$(HOST):$(PORT)/payments/ipn/vnpay/ --momo-partner MOMOEDOC \
	--momo-access-key $(DEMO_MOMO_ACCESS) --momo-secret $(DEMO_MOMO_SECRET)

# The demo's signers and administrator would otherwise have to enrol an authenticator app at
# their first page: `make run DEMO_2FA_POLICY=1` shows the policy as production applies it.
DEMO_2FA_POLICY ?= 0

# Embedded default: SQLite, eager Celery, local files. Demo data is loaded idempotently.
run: install
	@mkdir -p var/static var/media
	DJANGO_DEBUG=1 $(PY) manage.py identity_keys ensure
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@# Embedded mode: reminders and escalations fire from a loop next to the server, the payment
	@# stand-in answers the demo's VNPAY/MoMo payments; both stop with the server.
	DJANGO_DEBUG=1 $(PY) manage.py fire_timers --loop 60 > var/timers.log 2>&1 & timers=$$!; \
		$(PY) -m tools.payment_standin $(STANDIN_ARGS) > var/payment_standin.log 2>&1 & \
		standin=$$!; \
		trap 'kill $$timers $$standin' EXIT INT TERM; \
		DJANGO_DEBUG=1 EDOC_2FA_POLICY=$(DEMO_2FA_POLICY) $(DEMO_PAYMENTS) \
		$(PY) manage.py runserver $(HOST):$(PORT)

# With DATABASE_URL / REDIS_URL / OPENSEARCH_URL set the suite runs on PostgreSQL, Redis and
# OpenSearch (eval "$$(make -s services)" starts all three locally); REQUIRE_SERVICES=1 makes
# service-backed tests fail instead of skipping.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l vi --ignore=.venv --ignore=var --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

# The Debian packages of .ci/packages.txt (root; the first time, before make itself is there:
# bash .ci/deps.sh).
deps:
	@bash .ci/deps.sh

# Starts PostgreSQL, Redis and the OpenSearch node (installs nothing) and prints the exports:
# eval "$$(make -s services)"
services:
	@bash .ci/services.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
