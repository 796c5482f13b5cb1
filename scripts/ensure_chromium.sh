#!/usr/bin/env bash
# Make headless Chromium available for the UI screenshot test (Debian packages `chromium`,
# `chromium-driver`). Harmless when it cannot install: it says why and exits 0, and the
# screenshot test then skips with a clear message.
set -u

find_chromium() {
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if found=$(find_chromium); then
    echo "ensure_chromium: found $found"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: no apt-get on this machine; install Chromium yourself to run the UI test" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure_chromium: not root and no passwordless sudo; skipping Chromium install" >&2
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
# Bounded so a slow or unreachable mirror cannot hang `make test`.
if ! timeout 300 $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1; then
    timeout 120 $SUDO apt-get update -qq >/dev/null 2>&1 || true
    timeout 300 $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1 || true
fi

if found=$(find_chromium); then
    echo "ensure_chromium: installed $found"
else
    echo "ensure_chromium: could not install Chromium (no network or no package); the UI test will skip" >&2
fi
exit 0
