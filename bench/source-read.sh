#!/usr/bin/env bash
# bench/source-read.sh: the CPU one thread spends reading and typing a typed bench input through Kiln's source reader, for
# one or more builds in turn on the same machine (bench/SourceRead.java; no service, no writing, no digest).
#
#   bench/source-read.sh FILE FORMAT SPEC APP...
#
#   FILE    an input of bench/typed-ingest.sh, e.g. /tmp/kiln-typed-bench/input-1g/data.csv
#   FORMAT  csv or parquet
#   SPEC    a job spec of that input whose source.schema declares its columns (the bench's kiln-1g-<format>/job-spec.json)
#   APP     copies of target/quarkus-app (cp -r target/quarkus-app /tmp/app-x after ./mvnw package at each commit)
#
# Each build reads the file KILN_BENCH_ROUNDS times (default 3) in one JVM (java -Xmx1g), and the builds take turns
# KILN_BENCH_TURNS times (default 2). The first round of a JVM includes its compilation; compare the later ones.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ $# -ge 4 ]] || { echo "usage: $0 FILE FORMAT SPEC APP..." >&2; exit 2; }
file="$1" format="$2" spec="$3"
shift 3
rounds="${KILN_BENCH_ROUNDS:-3}"
turns="${KILN_BENCH_TURNS:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
classpath() {
    local jars
    jars="$(ls "$1"/lib/main/*.jar "$1"/app/*.jar | tr '\n' ':')"
    echo "${jars%:}"
}
for app in "$@"; do
    out="$work/$(basename "$app")"
    mkdir -p "$out"
    # in Kiln's package, beside the readers it uses, and compiled against that build
    javac -nowarn -d "$out" -cp "$(classpath "$app")" "$root/bench/SourceRead.java" 2>&1 | grep -v '^Note:' || true
done
for turn in $(seq 1 "$turns"); do
    for app in "$@"; do
        echo "== $app (turn $turn)"
        java -Xmx1g -cp "$work/$(basename "$app"):$(classpath "$app")" io.kiln.source.SourceRead "$file" "$format" "$spec" "$rounds"
    done
done
