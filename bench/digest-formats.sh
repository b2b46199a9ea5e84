#!/usr/bin/env bash
# bench/digest-formats.sh: the content digest's cost per row in format 2 (values as text) and format 3 (values by type),
# on 1,000,000 rows shaped like issue 13's flights job (bench/DigestFormats.java), in the same JVM, alternating.
#   KILN_BENCH_ROUNDS  rounds (default 7); prints each round and the medians, and format 3 / format 2
#   KILN_BENCH_ROWS    flights (default: issue 13's flights job's rows) or typed (issue 12's 20 typed columns)
# Needs target/classes and target/quarkus-app/lib/main (./mvnw package).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-30}"
source "$root/bench/lib.sh"
[[ -d "$root/target/classes" && -d "$root/target/quarkus-app/lib/main" ]] || fail "needs target/classes and target/quarkus-app/lib/main: ./mvnw -B package -DskipTests"
class_path="$root/target/classes:$(ls "$root"/target/quarkus-app/lib/main/*.jar | tr '\n' ':')"
wait_for_quiet digest
java -Xmx2g -cp "$class_path" "$root/bench/DigestFormats.java" "${KILN_BENCH_ROUNDS:-7}" "${KILN_BENCH_ROWS:-flights}"
