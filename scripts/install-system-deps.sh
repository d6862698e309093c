#!/usr/bin/env bash
# System packages the test suite needs beyond Python: headless Chromium for the browser tests (driven by
# Playwright with executable_path=/usr/bin/chromium; `playwright install` is never run). Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null || echo present)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "installed: $(chromium --version 2>/dev/null || echo chromium)"
