#!/usr/bin/env bash
# bench/near-dup-eval.sh: near-duplicate quality of io.kiln.dedup (MinHash + LSH) on real near-duplicates, MinHash
# throughput on 1 thread and index bytes per document. See BENCHMARKS.md for what it measures and the results.
#
# Corpora (on every Debian machine, nothing to install):
#   files    /usr/share/common-licenses/* and /usr/share/doc/*/copyright, one document per file (links resolved)
#   stanzas  the "License:" paragraphs (>= 30 words) of those copyright files, plus the common-licenses files:
#            the same GPL/BSD/MIT/Apache texts many times over, with small edits (holders' names, clauses)
# Ground truth: exact Jaccard similarity of the same 5-word shingle sets, brute force over all pairs, computed by
# bench/NearDupEval.java itself (shingles as strings), independently of the MinHash code under test.
#
# Environment: KILN_BENCH_DIR (default /tmp/kiln-bench) gets results-dedup-<time>.txt.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
mkdir -p "$work"
cd "$root"
if [[ ! -f target/classes/io/kiln/dedup/NearDedupIndex.class ]]; then
    ./mvnw -B -q -Dexec.skip compile
fi
results="$work/results-dedup-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
    echo "# $(date -u +%FT%TZ) $(java -version 2>&1 | head -1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Xmx3g -cp target/classes bench/NearDupEval.java stanzas
    echo
    java -Xmx3g -cp target/classes bench/NearDupEval.java files
} | tee "$results"
echo "bench: results in $results" >&2
