#!/usr/bin/env bash
# bench/labeling.sh: the label step with 20 keyword and regex labeling functions on 1 M synthetic texts (majority vote and
# Dawid-Skene), against a bare loop of the same 20 regular expressions: rows per CPU second of each pass and of the fit.
#
#   1. compiles Kiln's classes if they are missing or older than src/ and writes the dependency classpath once,
#   2. runs bench/Labeling.java on one core (taskset -c 0 when there is taskset, -XX:ActiveProcessorCount=1, -Xmx1g),
#      rows $KILN_LABELING_ROWS (default 1000000).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
rows="${KILN_LABELING_ROWS:-1000000}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-120}"
source "$root/bench/lib.sh"

command -v java >/dev/null 2>&1 || fail "needs java on the PATH"
mkdir -p "$work"
classes="$root/target/classes"
if [[ ! -f "$classes/io/kiln/transform/label/LabelStep.class" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$classes/io/kiln/transform/label/LabelStep.class" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B -Dexec.skip compile)"
    (cd "$root" && ./mvnw -q -B -Dexec.skip compile) || fail "the build failed"
fi
classpath_file="$work/labeling-classpath.txt"
if [[ ! -s "$classpath_file" ]] || [[ "$root/pom.xml" -nt "$classpath_file" ]]; then
    (cd "$root" && ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$classpath_file") || fail "could not resolve the classpath"
fi
pin=()
command -v taskset >/dev/null 2>&1 && pin=(taskset -c 0)
wait_for_quiet labeling
"${pin[@]}" java -XX:ActiveProcessorCount=1 -Xmx1g -cp "$classes:$(cat "$classpath_file")" "$root/bench/Labeling.java" "$rows"
