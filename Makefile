# Two commands a newcomer needs: `make run` and `make test`. Everything else is what they depend on.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# Debian packages the kiosk and its tests use; installed only when missing.
DEB_PACKAGES := python3-venv postgresql chromium chromium-driver xvfb xauth libgl1 libmtdev1 libzbar0 pcscd libpcsclite-dev swig \
                vsmartcard-vpcd mosquitto fonts-noto-cjk fonts-noto-core fonts-sil-nuosusil espeak-ng vorbis-tools \
                cups printer-driver-cups-pdf poppler-utils librime1 rime-data-luna-pinyin libzinnia0 tegaki-zinnia-simplified-chinese fonts-material-design-icons-iconfont
XVFB := xvfb-run -a -s "-screen 0 1280x2000x24"

.PHONY: setup run test bench render catalogs clean vpcd-off

setup: $(VENV)/.installed catalogs vpcd-off

# vsmartcard-vpcd (the tests' and the demo's virtual card reader) ships /etc/reader.conf.d/vpcd,
# with which the system pcscd listens on 0.0.0.0:35963-35964: anyone on the network could present
# a card. The file is moved out of that folder (pcscd reads every file in it, whatever its name;
# dpkg leaves a conffile the admin removed alone on upgrades). The tests and `make run` start
# their own pcscd with vpcd in a network namespace with only loopback (devices/smartcard/vpcd.py).
VPCD_CONF := /etc/reader.conf.d/vpcd
vpcd-off: $(VENV)/.debs
	@if [ -e $(VPCD_CONF) ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO mv $(VPCD_CONF) /etc/vpcd.reader-conf.kiosk-disabled && \
	  echo "moved $(VPCD_CONF) to /etc/vpcd.reader-conf.kiosk-disabled (a running system pcscd keeps its vpcd ports until restarted)"; \
	fi

$(VENV)/.debs:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

$(VENV)/.installed: $(VENV)/.debs requirements.lock pyproject.toml
	@[ -x $(VPY) ] || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements.lock
	$(VPY) -m pip install -q --no-deps -e .
	@touch $@

catalogs: $(VENV)/.installed
	@$(VPY) -m kiosk.i18n.catalogs compile
	@$(VPY) -m kiosk.i18n.fontbuild
	@$(VPY) -m kiosk.i18n.voicebuild

# A terminal or desktop has a display; a bare server gets a virtual one so the kiosk still starts.
# WITH_VPCD: the virtual social security card reader, in its own network namespace (no port).
WITH_VPCD := $(VPY) -m devices.smartcard.vpcd --
run: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(WITH_VPCD) $(VENV)/bin/kiosk run --profile demo; \
	else echo "no display: running on a virtual screen (see the screens with: make render)"; \
	  $(XVFB) $(WITH_VPCD) $(VENV)/bin/kiosk run --profile demo; fi

test: setup
	$(XVFB) $(VPY) -m pytest -q

# Each prints one line: a ratio against a baseline measured in the same run, and its budget.
bench: setup
	$(XVFB) $(VPY) bench/startup.py
	$(VPY) bench/idcard.py
	$(VPY) bench/scanner.py
	$(XVFB) $(VPY) bench/ime.py
	$(VPY) bench/receipt.py
	$(VPY) bench/a4.py
	$(VPY) bench/fleet.py --terminals 500
	$(VPY) bench/console.py --terminals 5000
	$(VPY) bench/soak.py --sessions 12500 --warmup 2500
	$(VPY) bench/videohelp.py
	$(XVFB) $(VPY) bench/videohelp.py --with-window
	$(XVFB) $(VPY) bench/latency.py
	$(XVFB) $(VPY) bench/ui_soak.py --sessions 2000 --warmup 200

render: setup
	$(XVFB) $(VENV)/bin/kiosk render --all --locales zh_CN,bo,ii,en --out /tmp/screens

clean:
	rm -rf $(VENV) build *.egg-info
