#!/usr/bin/env bash
# bench/anonymize.sh: the anonymize step (k-anonymity by full-domain search) on 1 M synthetic rows with 4
# quasi-identifiers, for growing lattices, against one plain GROUP BY of the same rows (the limit).
#
#   1. compiles Kiln's classes if they are missing or older than src/ and writes the dependency classpath once,
#   2. runs bench/Anonymize.java once per lattice size, each in its own JVM (-Xmx$KILN_ANONYMIZE_XMX, default 1g),
#      so that each peak RSS is that run's: rows $KILN_ANONYMIZE_ROWS (default 1000000), k $KILN_ANONYMIZE_K (default 5),
#      maxSuppression 0.02.
#
# Prints a markdown table; raw lines also go to $KILN_BENCH_DIR/anonymize-<time>.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
rows="${KILN_ANONYMIZE_ROWS:-1000000}"
k="${KILN_ANONYMIZE_K:-5}"
xmx="${KILN_ANONYMIZE_XMX:-1g}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-120}"
source "$root/bench/lib.sh"

command -v java >/dev/null 2>&1 || fail "needs java on the PATH"
mkdir -p "$work"
classes="$root/target/classes"
if [[ ! -f "$classes/io/kiln/transform/privacy/AnonymizeStep.class" ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$classes/io/kiln/transform/privacy/AnonymizeStep.class" -print -quit 2>/dev/null)" ]]; then
    say "compiling Kiln (./mvnw -q -B -Dexec.skip compile)"
    (cd "$root" && ./mvnw -q -B -Dexec.skip compile) || fail "the build failed"
fi
classpath_file="$work/anonymize-classpath.txt"
if [[ ! -s "$classpath_file" ]] || [[ "$root/pom.xml" -nt "$classpath_file" ]]; then
    (cd "$root" && ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$classpath_file") || fail "could not resolve the classpath"
fi
out="$work/anonymize-$(date +%Y%m%d-%H%M%S).md"
{
    echo "| rows | lattice nodes | nodes evaluated | distinct QI combinations | GROUP BY s | observe s | search s | apply s | step s | step / GROUP BY (wall) | step / GROUP BY (CPU) | peak RSS MiB | chosen |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} | tee "$out"
# age levels, zip levels, education levels: lattices of 3*3*3*3 = 81 up to 8*10*3*7 = 1,680 nodes
for levels in "1 1 1" "2 2 2" "3 3 3" "4 4 3" "5 5 4" "6 8 5"; do
    wait_for_quiet "$levels"
    # shellcheck disable=SC2086
    java "-Xmx$xmx" -cp "$classes:$(cat "$classpath_file")" "$root/bench/Anonymize.java" "$rows" $levels "$k" | tee -a "$out"
done
say "results in $out"
