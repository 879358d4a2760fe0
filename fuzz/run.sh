#!/usr/bin/env bash
# Fuzz the segmenters for N minutes (default 30): bash fuzz/run.sh [MINUTES]
# Seeds: the example pages; findings: fuzz/findings/ (crash-* files are inputs that broke it).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
mkdir -p fuzz/work fuzz/findings
# seed corpus: the shipped example pages, behind a byte that picks html/text/auto
for f in corpus/examples/*.txt corpus/examples/*.html.gz; do
    for mode in 0 1 2; do
        name="fuzz/work/$(basename "$f").$mode"
        # head stops reading early: gzip's broken pipe is expected, not a failure
        [ -e "$name" ] || { printf "\\x0${mode}\\x00" > "$name"; { gzip -cdf "$f" || true; } | head -c 20000 >> "$name"; }
    done
done
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" exec python fuzz/fuzz_segmenter.py -max_total_time=$((minutes * 60)) -rss_limit_mb=2048 -timeout=20 \
    -artifact_prefix=fuzz/findings/ -print_final_stats=1 fuzz/work
