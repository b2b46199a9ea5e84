#!/usr/bin/env bash
# Kiln's own fault-injection run: rounds of jobs on several tables, each round with one kill -9 of the service or of
# the check engine, and the invariants verified after every round; then 16 concurrent jobs on one dedup table.
# Usage: bench/chaos.sh [ROUNDS] [SEED]   (defaults 30 and 1; KILN_BENCH_DIR, default /tmp/kiln-bench, holds the run)
# Prints the results as JSON (also in $KILN_BENCH_DIR/chaos-<seed>/results.json) and exits 1 on any violation.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quiet_wait=0
source "$root/bench/lib.sh"
rounds="${1:-30}"
seed="${2:-1}"
jar="$root/target/quarkus-app/quarkus-run.jar"
build_if_missing "$root" "$jar"
[[ -f "$root/checks/target/engine/kiln-check-engine.jar" ]] || fail "the check engine is not built: run ./mvnw -DskipTests package first"
dir="${KILN_BENCH_DIR:-/tmp/kiln-bench}/chaos-$seed"
rm -rf "$dir"
mkdir -p "$dir"
say "commit $(commit_label "$root"); $rounds rounds, seed $seed, in $dir (service log: $dir/service.log)"
cd "$root"
python3 "$root/bench/chaos.py" --jar "$jar" --dir "$dir" --port "$(free_port)" --rounds "$rounds" --seed "$seed" --aimed
