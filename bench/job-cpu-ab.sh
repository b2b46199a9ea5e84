#!/usr/bin/env bash
# bench/job-cpu-ab.sh: the CPU one job costs a warm service, for two builds of Kiln, in alternating rounds on the same
# machine: what a change to the job's path saves, when the machine is too noisy for one run of each to tell.
#
#   bench/job-cpu-ab.sh APP_A APP_B SPEC ROOTS
#
#   APP_A, APP_B  two copies of target/quarkus-app (cp -r target/quarkus-app /tmp/app-x after ./mvnw package at each commit)
#   SPEC          a job spec whose "table" is the text @TABLE@ (each job gets a table of its own)
#   ROOTS         the source roots the spec's inputs lie under (KILN_SOURCE_ROOTS)
#
# Each round starts a service per side (turns taken going first), runs the spec once into a table not measured (the
# warm-up), then KILN_BENCH_JOBS jobs (default 2), each measured as the service's CPU time from submit to the job's end
# (user + system, /proc). Prints every job's CPU seconds, each side's median and B / A. Settings: KILN_BENCH_ROUNDS (4),
# KILN_BENCH_XMX (2g), KILN_BENCH_DIR (/tmp/kiln-ab), KILN_BENCH_QUIET_WAIT (30 s before each side; 0: don't wait);
# the service runs with its check engine off.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-30}"
source "$root/bench/lib.sh"
(($# == 4)) || fail "usage: bench/job-cpu-ab.sh APP_A APP_B SPEC ROOTS"
app_a="$1" app_b="$2" spec="$3" roots="$4"
rounds="${KILN_BENCH_ROUNDS:-4}"
jobs="${KILN_BENCH_JOBS:-2}"
xmx="${KILN_BENCH_XMX:-2g}"
work="${KILN_BENCH_DIR:-/tmp/kiln-ab}"
export KILN_BENCH_POLL_SECONDS="${KILN_BENCH_POLL_SECONDS:-1}"
for app in "$app_a" "$app_b"; do
    [[ -f "$app/quarkus-run.jar" ]] || fail "$app has no quarkus-run.jar (a copy of target/quarkus-app)"
done
grep -q '@TABLE@' "$spec" || fail "$spec does not name its table @TABLE@"
stop_service_on_exit
mkdir -p "$work"
results="$work/results.tsv"
printf 'round\tside\tjob\tcpu_s\n' >"$results"

run_side() { # round side app
    local data="$work/data-$2" i
    rm -rf "$data"
    mkdir -p "$data"
    wait_for_quiet "$2"
    start_service "$2" "$data" "$roots" "$xmx" "$3/quarkus-run.jar" KILN_CHECKS_ENGINE_MODE=off
    sed 's/@TABLE@/bench.warmup/' "$spec" >"$data/warm-spec.json"
    warm_up_job "$2" "$service_url" "$data/warm-spec.json" "$data" 3600 "$service_pid"
    for i in $(seq 1 "$jobs"); do
        measured_job "$2" "$spec" "bench.measured_$i" "$data" "$i"
        awk -v r="$1" -v s="$2" -v j="$i" -v t="$job_cpu_ticks" -v hz="$ticks_per_second" \
            'BEGIN { printf "%s\t%s\t%s\t%.2f\n", r, s, j, t / hz }' >>"$results"
    done
    stop_service
}

for round in $(seq 1 "$rounds"); do
    if ((round % 2 == 1)); then
        run_side "$round" A "$app_a"
        run_side "$round" B "$app_b"
    else
        run_side "$round" B "$app_b"
        run_side "$round" A "$app_a"
    fi
done
python3 - "$results" "$app_a" "$app_b" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cpu = {side: [float(r["cpu_s"]) for r in rows if r["side"] == side] for side in ("A", "B")}
for side, app in (("A", sys.argv[2]), ("B", sys.argv[3])):
    print(f"{side} ({app}): CPU s per job {', '.join(f'{x:.2f}' for x in cpu[side])}; median {statistics.median(cpu[side]):.2f}")
print(f"B / A (medians): {statistics.median(cpu['B']) / statistics.median(cpu['A']):.3f}")
EOF
