#!/usr/bin/env bash
# bench/double-text.sh: how many doubles and floats Java 17 and a later Java print differently (Double.toString and
# Float.toString, the content digest's text of them), per kind of value. Not a timing.
#   KILN_BENCH_JAVA_A  the first java (default: java on the PATH)
#   KILN_BENCH_JAVA_B  the second java (default: /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   KILN_BENCH_DIR     work dir (default /tmp/kiln-double-text)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quiet_wait=0
source "$root/bench/lib.sh"
java_a="${KILN_BENCH_JAVA_A:-java}"
java_b="${KILN_BENCH_JAVA_B:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
work="${KILN_BENCH_DIR:-/tmp/kiln-double-text}"
command -v "$java_a" >/dev/null 2>&1 || fail "no java at $java_a"
command -v "$java_b" >/dev/null 2>&1 || fail "no java at $java_b (set KILN_BENCH_JAVA_B)"
mkdir -p "$work"
for side in a b; do
    java_var="java_$side"
    say "$("${!java_var}" -version 2>&1 | head -n 2 | tail -n 1)"
    "${!java_var}" "$root/bench/DoubleText.java" "$work/$side.tsv" || fail "DoubleText failed on ${!java_var}"
done
paste "$work/a.tsv" "$work/b.tsv" | awk -F'\t' '
    { total[$1]++; if (($2 "") != ($4 "")) { differ[$1]++; if (shown[$1]++ < 2) example[$1] = example[$1] " " $2 "/" $4 } }
    END { for (g in total) printf "%-15s %9d %8d %s\n", g, total[g], differ[g] + 0, example[g] }' | sort |
    { printf '%-15s %9s %8s  %s\n' values count differ 'examples (A/B)'; cat; }
