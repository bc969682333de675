#!/usr/bin/env bash
# Installs the Debian packages that tests and benchmarks need, when they are missing.
# Fails loudly, naming the package, when it cannot: no test may skip for lack of one.
# `--report` checks only what the PDF report needs (Chromium and CJK fonts). Only root
# installs; for anyone else `--report` succeeds quietly, because only the PDF needs these
# and `portfolio demo` says in one line how to get it.
set -euo pipefail

usage() {
  echo "usage: $0 [--report]   install the Debian packages the tests and benchmarks need;"
  echo "       --report: only what the PDF report needs (Chromium, CJK and emoji fonts)"
}
report_only=false
for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
    --report) report_only=true ;;
    *) echo "ensure-sysdeps: unknown option $arg" >&2; usage >&2; exit 2 ;;
  esac
done

need=()
# Chromium prints the PDF report and runs the browser tests; without CJK fonts the
# Japanese report prints as empty boxes; poppler's pdftoppm/pdftotext read the PDF back.
# PORTFOLIO_CHROMIUM names the browser the PDF uses; when it is set, that one is used.
if [[ -z ${PORTFOLIO_CHROMIUM:-} ]]; then
  command -v chromium >/dev/null || need+=(chromium)
fi
fc-list :lang=ja 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
# The KPI marks (✅ ⚠️ ❌) are emoji: without a colour-emoji font they print as empty boxes.
fc-list 2>/dev/null | grep -qi "noto color emoji" || need+=(fonts-noto-color-emoji)
if [[ $report_only == false ]]; then
  command -v wrk >/dev/null || need+=(wrk)
  command -v goaccess >/dev/null || need+=(goaccess)
  command -v hyperfine >/dev/null || need+=(hyperfine)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
fi

if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    [[ ${1:-} == --report ]] && exit 0
    echo "ensure-sysdeps: missing ${need[*]}; install them: sudo apt-get install ${need[*]} (or sudo make sysdeps)" >&2
    exit 1
  fi
  echo "ensure-sysdeps: installing ${need[*]}" >&2
  apt-get update -qq || { echo "ensure-sysdeps: apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "ensure-sysdeps: apt-get install ${need[*]} failed" >&2; exit 1; }
fi
