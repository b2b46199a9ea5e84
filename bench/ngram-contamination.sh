#!/usr/bin/env bash
# bench/ngram-contamination.sh: the n-gram contamination index (io.kiln.contamination) on a synthetic eval set and
# training corpus, against hashing alone (NgramText.words + the n-gram hashes, no lookups) measured on the same text in
# the same run: build MB/s of eval text, scan MB/s of training text (NgramIndex.match), both per CPU second on one core,
# their ratios to hashing alone, the index file's size and write/read times, and the planted items found.
#
#   1. compiles Kiln's classes if they are missing or older than src/,
#   2. runs bench/NgramContamination.java on one core (taskset -c 0 when there is taskset, -XX:ActiveProcessorCount=1).
#
# Environment: KILN_NGRAM_ITEMS (100000 eval items), KILN_NGRAM_TRAIN_MB (200 MB of training text, streamed),
# KILN_NGRAM_N (13), KILN_NGRAM_CAP (10), KILN_NGRAM_SEED (42), KILN_NGRAM_XMX (2g), KILN_BENCH_DIR (/tmp/kiln-bench:
# the index file goes there), KILN_BENCH_QUIET_WAIT (120 s; 0 skips the wait).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
items="${KILN_NGRAM_ITEMS:-100000}"
train_mb="${KILN_NGRAM_TRAIN_MB:-200}"
n="${KILN_NGRAM_N:-13}"
cap="${KILN_NGRAM_CAP:-10}"
seed="${KILN_NGRAM_SEED:-42}"
xmx="${KILN_NGRAM_XMX:-2g}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-120}"
source "$root/bench/lib.sh"

command -v java >/dev/null 2>&1 || fail "needs java on the PATH"
mkdir -p "$work"
classes="$root/target/classes"
marker="$classes/io/kiln/contamination/NgramIndex.class"
if [[ ! -f "$marker" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$marker" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B -Dexec.skip compile)"
    (cd "$root" && ./mvnw -q -B -Dexec.skip compile) || fail "the build failed"
fi
pin=()
command -v taskset >/dev/null 2>&1 && pin=(taskset -c 0)
wait_for_quiet ngram-contamination
say "commit $(commit_label "$root"): $items eval items, $train_mb MB of training text, n $n, frequency cap $cap"
"${pin[@]}" java -XX:ActiveProcessorCount=1 "-Xmx$xmx" -cp "$classes" "$root/bench/NgramContamination.java" \
    "$items" "$train_mb" "$n" "$cap" "$seed" "$work/ngram-contamination.index"
