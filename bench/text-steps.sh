#!/usr/bin/env bash
# bench/text-steps.sh: throughput of every registered text step on one core, next to jtokkit's raw encoding.
#
#   1. compiles Kiln's classes if target/classes is missing or older than src/ (./mvnw compile) and
#      writes the dependency classpath once ($KILN_BENCH_DIR/text-steps-classpath.txt),
#   2. picks a corpus of real text, in this order: the file list $KILN_TEXT_BENCH_FILES; the Linux
#      kernel's Documentation/ (*.rst, *.txt) from /usr/src/linux-source-*.tar.xz (Debian package
#      linux-source-6.1, extracted once into $KILN_BENCH_DIR); else README*, NEWS* and changelog*
#      files under /usr/share/doc (gzip'd ones decompressed); files in sorted order up to
#      $KILN_TEXT_BENCH_BYTES bytes (default 30000000),
#   3. runs bench/TextSteps.java on one core: taskset -c 0 (when there is taskset) and
#      java -XX:ActiveProcessorCount=1; one warm-up pass, then $KILN_TEXT_BENCH_REPETITIONS (default 3)
#      repetitions, each measuring in turn raw jtokkit encodeOrdinary (cl100k_base), every step of
#      StepRegistry.defaultRegistry() bound with its default parameters (steps that do not bind that
#      way are listed as skipped), and the chain normalize, chunk, tokenize; medians and ratios to raw.
#
# Environment: KILN_BENCH_DIR (default /tmp/kiln-bench), KILN_TEXT_BENCH_FILES, KILN_TEXT_BENCH_BYTES,
# KILN_TEXT_BENCH_REPETITIONS, KILN_TEXT_BENCH_STEP_SECONDS (default 30: a slower step is measured on
# the documents it gets through in that time per pass), KILN_TEXT_BENCH_XMX (default 2g).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
limit_bytes="${KILN_TEXT_BENCH_BYTES:-30000000}"
repetitions="${KILN_TEXT_BENCH_REPETITIONS:-3}"
step_seconds="${KILN_TEXT_BENCH_STEP_SECONDS:-30}"
xmx="${KILN_TEXT_BENCH_XMX:-2g}"

# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet
source "$root/bench/lib.sh"

command -v java >/dev/null 2>&1 || fail "needs java on the PATH"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

# --- classes and classpath -------------------------------------------------------------------
classes="$root/target/classes"
if [[ ! -f "$classes/io/kiln/transform/StepRegistry.class" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$classes/io/kiln/transform/StepRegistry.class" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B -Dexec.skip compile)"
    (cd "$root" && ./mvnw -q -B -Dexec.skip compile) || fail "the build failed"
fi
classpath_file="$work/text-steps-classpath.txt"
if [[ ! -s "$classpath_file" ]] || [[ "$root/pom.xml" -nt "$classpath_file" ]]; then
    say "writing the dependency classpath to $classpath_file"
    (cd "$root" && ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$classpath_file") || fail "could not resolve the classpath"
fi

# --- corpus ----------------------------------------------------------------------------------
list="$work/text-steps-files.txt"
if [[ -n "${KILN_TEXT_BENCH_FILES:-}" ]]; then
    cp "$KILN_TEXT_BENCH_FILES" "$list"
    corpus="files listed in $KILN_TEXT_BENCH_FILES"
else
    documentation="$(find "$work" -maxdepth 3 -type d -path '*/linux-source-*/Documentation' -print -quit 2>/dev/null || true)"
    tarball="$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' -print -quit 2>/dev/null || true)"
    if [[ -z "$documentation" && -n "$tarball" ]]; then
        say "extracting Documentation/ from $tarball into $work (once)"
        tar -xJf "$tarball" -C "$work" --wildcards '*/Documentation/*' || fail "could not extract $tarball"
        documentation="$(find "$work" -maxdepth 3 -type d -path '*/linux-source-*/Documentation' -print -quit)"
    fi
    if [[ -n "$documentation" ]]; then
        find "$documentation" -type f \( -name '*.rst' -o -name '*.txt' \) -printf '%s\t%p\n' >"$list.all"
        corpus="Linux kernel Documentation/ (*.rst, *.txt) from $(basename "${tarball:-$documentation}")"
    else
        find /usr/share/doc -type f \( -name 'README*' -o -name 'NEWS*' -o -name 'changelog*' \) -printf '%s\t%p\n' >"$list.all"
        corpus="README*, NEWS* and changelog* files under /usr/share/doc"
    fi
    # files in sorted order up to the byte limit (sizes on disk; .gz files count compressed here)
    LC_ALL=C sort -t $'\t' -k 2 "$list.all" | awk -F '\t' -v limit="$limit_bytes" '{ if (total + $1 > limit) exit; total += $1; print $2 }' >"$list.new"
    mv "$list.new" "$list"
    rm -f "$list.all"
fi
[[ -s "$list" ]] || fail "no documents for the corpus"
say "corpus: $corpus; $(wc -l <"$list") files"

# --- run -------------------------------------------------------------------------------------
pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c 0)
else
    say "warning: no taskset; the JVM is told it has 1 processor but may run on more cores"
fi
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ "$commit" != unknown ]] && [[ -n "$(git -C "$root" status --porcelain --untracked-files=no -- src pom.xml bench 2>/dev/null)" ]]; then
    commit="$commit+local-changes"
fi
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$work/text-steps-$stamp.txt"
say "commit $commit; $(nproc) cores on the machine; results also in $results"
# the class path goes in an argument file: ONNX Runtime (the embed step) crashes while loading its native
# library from the main thread of a JVM whose command line is very long
argfile="$work/text-steps-$stamp.args"
printf -- '-cp\n%s\n' "$classes:$(cat "$classpath_file")" >"$argfile"
{
    echo "corpus: $corpus ($(wc -l <"$list") files); commit $commit; $(nproc) cores on the machine; pinned: ${pin[*]:-no}"
    "${pin[@]}" java -XX:ActiveProcessorCount=1 "-Xmx$xmx" -Xss4m "@$argfile" \
        "$root/bench/TextSteps.java" "$list" "$repetitions" "$step_seconds"
} 2>&1 | tee "$results"
