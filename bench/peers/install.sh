#!/usr/bin/env bash
# Installs the Python peers the `tessera bench` commands compare against, from Debian's packages
# (PyPI is not needed). Run as root or with sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q python3-torch python3-open3d python3-skimage python3-scipy
