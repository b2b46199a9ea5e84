#!/usr/bin/env bash
# bench/double-text.sh: how many doubles and floats two Java versions print differently (Double.toString and
# Float.toString), and how many Kiln's text of them (Values.numberText, the content digest's) differs from each, per
# kind of value. Not a timing.
#   KILN_BENCH_JAVA_A  the first java (default: java on the PATH), which also runs Kiln's text
#   KILN_BENCH_JAVA_B  the second java (default: /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   KILN_BENCH_DIR     work dir (default /tmp/kiln-double-text)
# Needs target/classes and target/quarkus-app/lib/main (./mvnw package).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quiet_wait=0
source "$root/bench/lib.sh"
java_a="${KILN_BENCH_JAVA_A:-java}"
java_b="${KILN_BENCH_JAVA_B:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
work="${KILN_BENCH_DIR:-/tmp/kiln-double-text}"
command -v "$java_a" >/dev/null 2>&1 || fail "no java at $java_a"
command -v "$java_b" >/dev/null 2>&1 || fail "no java at $java_b (set KILN_BENCH_JAVA_B)"
jackson="$(ls "$root"/target/quarkus-app/lib/main/com.fasterxml.jackson.core.jackson-core-*.jar 2>/dev/null | head -n 1)"
[[ -d "$root/target/classes" && -n "$jackson" ]] || fail "needs target/classes and jackson-core in target/quarkus-app/lib/main: ./mvnw -B package -DskipTests"
class_path="$root/target/classes:$jackson"
mkdir -p "$work"
for side in a b; do
    java_var="java_$side"
    say "$("${!java_var}" -version 2>&1 | head -n 2 | tail -n 1)"
    "${!java_var}" -cp "$class_path" "$root/bench/DoubleText.java" java "$work/$side.tsv" || fail "DoubleText failed on ${!java_var}"
done
"$java_a" -cp "$class_path" "$root/bench/DoubleText.java" kiln "$work/kiln.tsv" || fail "DoubleText (kiln) failed on $java_a"
# counts the lines of two files whose texts differ, per kind (compared as strings: awk would compare numbers)
compare() { # file-1 file-2 label
    paste "$1" "$2" | awk -F'\t' -v label="$3" '
        { total[$1]++; if (($2 "") != ($4 "")) { differ[$1]++; if (shown[$1]++ < 2) example[$1] = example[$1] " " $2 "/" $4 } }
        END { for (g in total) printf "%-18s %-12s %9d %8d %s\n", g, label, total[g], differ[g] + 0, example[g] }'
}
{
    compare "$work/a.tsv" "$work/b.tsv" "A / B"
    compare "$work/kiln.tsv" "$work/a.tsv" "Kiln / A"
    compare "$work/kiln.tsv" "$work/b.tsv" "Kiln / B"
} | sort | { printf '%-18s %-12s %9s %8s  %s\n' values texts count differ 'examples'; cat; }
