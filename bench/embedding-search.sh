#!/usr/bin/env bash
# bench/embedding-search.sh: exact embedding search for contamination checks (io.kiln.contamination.ExactCosine), against the
# machine's fp32 matrix-product rate measured in the same run with a real BLAS (torch.mm).
#
#   1. compiles Kiln's classes if they are missing or older than src/,
#   2. the limit: torch.mm of fp32 matrices of one batch's shape (BATCH x DIMENSION times DIMENSION x EVAL), torch and its
#      BLAS on THREADS threads, pinned to the same cores; fails when torch is missing or links the reference (netlib) BLAS,
#   3. Kiln: bench/EmbeddingSearch.java, ROWS seeded training vectors against EVAL seeded eval vectors, in batches of BATCH
#      through TopRows.add(ordinals, rows, THRESHOLD): the hits at or above the threshold and the top K rows per eval item,
#   4. the limit again; the better of the two runs counts.
# Prints GFLOP/s (2 x ROWS x EVAL x DIMENSION / seconds) per core of each and Kiln's over torch's.
#
# Environment:
#   KILN_SEARCH_ROWS        training vectors (default 1000000; 50000 makes a quick check)
#   KILN_SEARCH_EVAL        eval vectors (default 10000)
#   KILN_SEARCH_DIMENSION   dimension (default 384, all-MiniLM-L6-v2)
#   KILN_SEARCH_THREADS     threads of both sides, pinned to cores 0..THREADS-1 (default 1: the ratio is per core)
#   KILN_SEARCH_BATCH       rows per add (default 4096)
#   KILN_SEARCH_K           top rows per eval item (default 10)
#   KILN_SEARCH_THRESHOLD   similarity threshold (default 0.9)
#   KILN_BENCH_PYTHON       a python3 with torch (default: the first of python3, /usr/bin/python3 that imports torch)
#   KILN_BENCH_BLAS_DIR     a directory with an optimized libblas.so.3 for torch (e.g. OpenBLAS's openblas-pthread);
#                           default: the one torch links, or OpenBLAS unpacked from apt's cache into $KILN_BENCH_DIR/openblas
#   KILN_BENCH_DIR          work dir (default /tmp/kiln-bench)
#   KILN_BENCH_QUIET_WAIT   seconds to wait for other processes to use < 0.5 cores (default 120; 0: don't wait)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
rows="${KILN_SEARCH_ROWS:-1000000}"
eval_count="${KILN_SEARCH_EVAL:-10000}"
dimension="${KILN_SEARCH_DIMENSION:-384}"
threads="${KILN_SEARCH_THREADS:-1}"
batch="${KILN_SEARCH_BATCH:-4096}"
k="${KILN_SEARCH_K:-10}"
threshold="${KILN_SEARCH_THRESHOLD:-0.9}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-120}"
source "$root/bench/lib.sh"

command -v java >/dev/null 2>&1 || fail "needs java on the PATH"
mkdir -p "$work"

# --- the python with torch, and a real BLAS under it ---
python=""
for candidate in ${KILN_BENCH_PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import torch' >/dev/null 2>&1; then
        python="$candidate"
        break
    fi
done
[[ -n "$python" ]] || fail "needs torch for the limit: no python3 here imports torch (apt-get install python3-torch, or set KILN_BENCH_PYTHON)"

blas_dir="${KILN_BENCH_BLAS_DIR:-}"
# torch's BLAS: the shared libraries with blas, mkl or blis in their name that torch.mm maps
torch_blas() {
    env ${blas_dir:+LD_LIBRARY_PATH="$blas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"} "$python" -c '
import os, torch
torch.mm(torch.ones(64, 64), torch.ones(64, 64))
paths = sorted({line.split()[-1] for line in open("/proc/self/maps") if any(n in line.split()[-1].rsplit("/", 1)[-1] for n in ("blas", "mkl", "blis"))})
print(" ".join(os.path.realpath(p) for p in paths))'
}
is_reference_blas() { # Debian's netlib reference BLAS: /usr/lib/<arch>/blas/libblas.so.3*
    [[ "$1" =~ /blas/libblas\.so ]] && [[ ! "$1" =~ openblas|mkl|blis|atlas ]]
}
loaded="$(torch_blas)"
if [[ -z "$blas_dir" ]] && is_reference_blas "$loaded"; then
    for candidate in /usr/lib/x86_64-linux-gnu/openblas-pthread "$work/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"; do
        [[ -f "$candidate/libblas.so.3" ]] && { blas_dir="$candidate"; break; }
    done
    if [[ -z "$blas_dir" ]]; then
        deb="$(ls /var/cache/apt/archives/libopenblas0-pthread_*_amd64.deb 2>/dev/null | tail -n 1 || true)"
        if [[ -n "$deb" ]] && command -v dpkg >/dev/null 2>&1; then
            say "torch links the reference BLAS ($loaded); unpacking OpenBLAS from $deb into $work/openblas (the system is left as it is)"
            dpkg -x "$deb" "$work/openblas"
            blas_dir="$work/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"
        fi
    fi
    [[ -n "$blas_dir" ]] && loaded="$(torch_blas)"
fi
if is_reference_blas "$loaded"; then
    fail "torch links the reference BLAS ($loaded), which is no limit: install libopenblas0-pthread, or unpack it (apt-get download libopenblas0-pthread; dpkg -x ...) and set KILN_BENCH_BLAS_DIR to its openblas-pthread directory"
fi
say "torch: $python, BLAS: ${loaded:-built into torch}"

# --- Kiln's classes ---
classes="$root/target/classes"
marker="$classes/io/kiln/contamination/ExactCosine.class"
if [[ ! -f "$marker" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$marker" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B -Dexec.skip compile)"
    (cd "$root" && ./mvnw -q -B -Dexec.skip compile) || fail "the build failed"
fi

cores="0-$((threads - 1))"
pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c "$cores")
else
    say "warning: no taskset; nothing is pinned"
fi

limit() { # -> best GFLOP/s of torch.mm over 5 products of one batch's shape
    env ${blas_dir:+LD_LIBRARY_PATH="$blas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"} OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
        MKL_NUM_THREADS="$threads" "${pin[@]}" "$python" -c '
import sys, time, torch
threads, batch, dimension, evals = map(int, sys.argv[1:5])
torch.set_num_threads(threads)
generator = torch.Generator().manual_seed(42)
rows = torch.randn(batch, dimension, generator=generator)
items = torch.randn(dimension, evals, generator=generator)
out = torch.empty(batch, evals)
torch.mm(rows, items, out=out)
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    torch.mm(rows, items, out=out)
    best = min(best, time.perf_counter() - start)
print("%.2f" % (2.0 * batch * dimension * evals / best / 1e9))' "$threads" "$batch" "$dimension" "$eval_count"
}

wait_for_quiet embedding-search
first="$(limit)"
say "torch.mm ${batch}x${dimension} times ${dimension}x${eval_count} on $threads thread(s): $first GFLOP/s"
line="$("${pin[@]}" java -XX:ActiveProcessorCount="$threads" -Xmx2g -cp "$classes" "$root/bench/EmbeddingSearch.java" \
    "$rows" "$eval_count" "$dimension" "$threads" "$batch" "$k" "$threshold")"
say "kiln: $line"
second="$(limit)"
say "torch.mm again: $second GFLOP/s"

value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $line"; }
seconds="$(value seconds)"
gflops="$(value gflops)"
hits="$(value hits)"
digest="$(value digest)"
awk -v rows="$rows" -v evals="$eval_count" -v d="$dimension" -v t="$threads" -v s="$seconds" -v g="$gflops" -v a="$first" -v b="$second" \
    -v hits="$hits" -v digest="$digest" -v commit="$(commit_label "$root")" 'BEGIN {
    torch = a > b ? a : b
    print "| commit | rows | eval | dim | threads | Kiln s | Kiln GFLOP/s per core | torch.mm GFLOP/s per core | Kiln / torch.mm | hits | digest |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf "| %s | %d | %d | %d | %d | %.2f | %.1f | %.1f | %.2f | %d | %s |\n", commit, rows, evals, d, t, s, g / t, torch / t, g / torch, hits, digest
}'
