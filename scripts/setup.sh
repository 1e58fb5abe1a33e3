#!/usr/bin/env bash
# Set up everything kexie needs on a Debian/Ubuntu machine: the system packages the documents
# and tests use (LibreOffice, Noto CJK fonts, poppler-utils, Dovecot for the mail tests) when missing, and a virtualenv in
# .venv with kexie and its test tools installed. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer libreoffice-calc)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
if ! (command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep "Noto Serif CJK" >/dev/null); then
  missing+=(fonts-noto-cjk)
fi
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
# certificates embed a TrueType CJK font (Noto CJK is OpenType/CFF, which ReportLab cannot embed)
if ! (command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -E "UKai|WenQuanYi Zen Hei" >/dev/null); then
  missing+=(fonts-arphic-ukai fonts-wqy-zenhei)
fi
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)  # the tests decode certificate QR codes

if [ ${#missing[@]} -gt 0 ]; then
  echo "kexie setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" -c constraints.txt
# Bytecode for our own modules, as a wheel install has: an editable install has none, and where
# PYTHONDONTWRITEBYTECODE is set every kexie start would compile them from source (~0.1 s).
.venv/bin/python -m compileall -q macros >/dev/null
echo "kexie setup: ready (.venv/bin/kexie)"
