#!/usr/bin/env bash
# Installs headless Chromium (Debian's package) so that `cargo test` checks in a real browser
# that every table of report.html fits a 1000-px screen and an A4 page (tests/it/print.rs).
# Without it that test skips with a message. Takes a minute or two; safe to run twice.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    echo "chromium already installed: $(command -v chromium)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "tests/browser.sh: could not install chromium here (no root or no package mirror):" \
         "the browser check in tests/it/print.rs will skip" >&2
    exit 0
fi
command -v chromium
