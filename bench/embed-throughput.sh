#!/usr/bin/env bash
# bench/embed-throughput.sh: embedding throughput on CPU, all-MiniLM-L6-v2 fp32, in sentences per
# CPU-second of the process (ONNX Runtime's native threads included), for the same real sentences:
#   peer   LangChain4j's own AllMiniLmL6V2EmbeddingModel.embedAll (goal: Kiln >= 2x)
#   limit  a bare ONNX Runtime loop over pre-tokenized, pre-sorted, pre-built batches (goal: Kiln >= 0.9x)
#   kiln   io.kiln.embed.Embedder.embed (tokenize, sort, batch, infer, pool, normalize)
# measured in one JVM, interleaved, $KILN_BENCH_ROUNDS rounds, median, each also as GFLOP of the model's
# arithmetic per CPU-second; then (with numpy) the ceiling: one thread's fp32 matrix product on the model's
# shapes, and what share of it twice the peer would need; then the peak RSS of a JVM that runs only Kiln's
# path and of one that runs only the peer (one round each).
#
# Sentences: 4-80 words, deduplicated, from /usr/share/common-licenses and the Markdown READMEs under
# /usr/share/doc (on the machine), in file order.
#
# Environment:
#   KILN_BENCH_DIR          work dir (default /tmp/kiln-bench-embed): classpath, compiled bench, logs
#   KILN_BENCH_SENTENCES    number of sentences (default 3000)
#   KILN_BENCH_ROUNDS       rounds (default 3)
#   KILN_BENCH_XMX          heap limit (default 1g)
#   KILN_BENCH_QUIET_WAIT   seconds to wait for other processes to use < 0.5 cores (default 120; 0: don't wait)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench-embed}"
count="${KILN_BENCH_SENTENCES:-3000}"
rounds="${KILN_BENCH_ROUNDS:-3}"
xmx="${KILN_BENCH_XMX:-1g}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-120}"
# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet
source "$root/bench/lib.sh"

for tool in java javac awk; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool on the PATH"
done
mkdir -p "$work"

# --- build: Kiln's classes, the test classpath (it has the model carriers and LangChain4j's model class), the bench ---
if [[ ! -f "$root/target/classes/io/kiln/embed/Embedder.class" ]]; then
    say "compiling Kiln (./mvnw -q -Dexec.skip compile)"
    (cd "$root" && ./mvnw -B -q -Dexec.skip compile) || fail "the build failed"
fi
if [[ ! -s "$work/classpath.txt" || "$root/pom.xml" -nt "$work/classpath.txt" ]]; then
    (cd "$root" && ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt") || fail "cannot resolve the classpath"
fi
classpath="$root/target/classes:$(cat "$work/classpath.txt")"
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" -cp "$classpath" "$root/bench/EmbedThroughput.java" || fail "cannot compile bench/EmbedThroughput.java"
# the classpath goes in an argument file: ONNX Runtime 1.29 crashes (SIGSEGV) while loading on the main
# thread when the JVM's command line is very long (a -cp of a few hundred jars)
printf -- '-cp %s\n' "$work/classes:$classpath" >"$work/java.args"

inputs=(/usr/share/common-licenses)
while IFS= read -r -d '' readme; do
    inputs+=("$readme")
done < <(find /usr/share/doc -name 'README*.md' -print0 2>/dev/null | sort -z)

run_java() {
    java "-Xmx$xmx" -XX:+UseSerialGC -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
        "-DDJL_CACHE_DIR=$work/djl" @"$work/java.args" EmbedThroughput "$@"
}

say "$(nproc) cores; commit $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown); $count sentences; $rounds rounds; java -Xmx$xmx"
wait_for_quiet
run_java all "$count" "$rounds" "${inputs[@]}" 2>"$work/all.log" | tee "$work/all.out"
# the ceiling: what this CPU's fp32 matrix product reaches on one thread, on the model's own shapes (OpenBLAS
# through numpy): a model that were nothing but these products could not run faster per CPU-second
if python3 -c 'import numpy' 2>/dev/null; then
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 -c '
import sys, time, numpy as np
rates = []
for (m, k, n) in [(512, 384, 384), (512, 384, 1536), (512, 1536, 384)]:
    a, b = np.random.rand(m, k).astype(np.float32), np.random.rand(k, n).astype(np.float32)
    for _ in range(5):
        a @ b
    reps = max(5, int(1e10 / (2 * m * k * n)))
    started = time.process_time()
    for _ in range(reps):
        a @ b
    rates.append(2 * m * k * n * reps / (time.process_time() - started) / 1e9)
    print(f"ceiling: fp32 matrix product {m}x{k} by {k}x{n}, one thread: {rates[-1]:.1f} GFLOP per CPU-s")
ceiling = max(rates)
if sys.argv[1]:
    need = float(sys.argv[1])
    print(f"twice the peer needs {need:.1f} GFLOP per CPU-s = {need / ceiling:.2f} of the matrix-product ceiling ({ceiling:.1f})")
' "$(awk '/^twice the peer/ { print $5 }' "$work/all.out")" | tee -a "$work/all.out"
else
    say "no numpy: the matrix-product ceiling is not measured"
fi
for mode in kiln peer; do
    say "peak RSS, $mode only"
    run_java "$mode" "$count" 1 "${inputs[@]}" 2>"$work/$mode.log" | grep -E 'round|peak RSS' | sed "s/^/$mode only: /"
done
