#!/usr/bin/env bash
# Installs what the registry tests and the mirror bench run: Debian's `docker-registry` (the
# CNCF Distribution registry) and `skopeo`. Does nothing when both are there. Non-interactive,
# so CI and a test that runs it (uhub-testreg, the first time a registry is started on a
# machine without one) never wait for an answer. Needs root, or sudo without a password.
set -euo pipefail

packages=(docker-registry skopeo)
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
    echo "tools: docker-registry and skopeo are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "tools: installing ${packages[*]} needs root; run as root:" >&2
    echo "    apt-get install -y --no-install-recommends ${packages[*]}" >&2
    exit 1
fi

apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
echo "tools: installing ${packages[*]}"
# The package lists of a fresh machine may be missing or stale: update only when the install fails.
if ! "${apt[@]}" install --no-install-recommends "${packages[@]}"; then
    "${apt[@]}" update
    "${apt[@]}" install --no-install-recommends "${packages[@]}"
fi
if ! command -v docker-registry >/dev/null || ! command -v skopeo >/dev/null; then
    echo "tools: apt-get installed ${packages[*]}, but docker-registry or skopeo is still not on PATH ($PATH)" >&2
    exit 1
fi
echo "tools: installed ${packages[*]}"
