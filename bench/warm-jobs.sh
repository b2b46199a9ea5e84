#!/usr/bin/env bash
# bench/warm-jobs.sh: one service runs the same job several times; per job, the service's CPU seconds, the JIT
# compilers' seconds and the methods they compiled (HotSpot's counters java.ci.totalTime and sun.ci.totalCompiles,
# read with jcmd before and after each job). Shows how warm "warm" is, and, with NAME=VALUE settings (for example
# JAVA_TOOL_OPTIONS=-Dsome.flag=true for an experiment's build), what a setting costs a warm job.
#
#   bench/warm-jobs.sh APP SPEC ROOTS [NAME=VALUE...]
#
#   APP    a copy of target/quarkus-app (or target/quarkus-app itself)
#   SPEC   a job spec whose "table" is the text @TABLE@ (each job gets a table of its own)
#   ROOTS  the source roots the spec's inputs lie under (KILN_SOURCE_ROOTS)
#   NAME=VALUE  more environment for the service
# Settings: KILN_BENCH_JOBS (3), KILN_BENCH_XMX (2g), KILN_BENCH_DIR (/tmp/kiln-warm-jobs), KILN_BENCH_QUIET_WAIT (30 s
# before the service starts; 0: don't wait). The service runs with its check engine off. Needs jcmd (the JDK's).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-30}"
source "$root/bench/lib.sh"
(($# >= 3)) || fail "usage: bench/warm-jobs.sh APP SPEC ROOTS [NAME=VALUE...]"
app="$1" spec="$2" roots="$3"
shift 3
jobs="${KILN_BENCH_JOBS:-3}"
xmx="${KILN_BENCH_XMX:-2g}"
work="${KILN_BENCH_DIR:-/tmp/kiln-warm-jobs}"
export KILN_BENCH_POLL_SECONDS="${KILN_BENCH_POLL_SECONDS:-1}"
[[ -f "$app/quarkus-run.jar" ]] || fail "$app has no quarkus-run.jar (a copy of target/quarkus-app)"
grep -q '@TABLE@' "$spec" || fail "$spec does not name its table @TABLE@"
command -v jcmd >/dev/null 2>&1 || fail "needs jcmd (the JDK's) on the PATH"
stop_service_on_exit
rm -rf "$work/data"
mkdir -p "$work/data"
jit_counters() { # pid -> "hrt-frequency compile-ticks compiles"
    jcmd "$1" PerfCounter.print | awk -F= '
        $1 == "sun.os.hrt.frequency" { f = $2 } $1 == "java.ci.totalTime" { t = $2 } $1 == "sun.ci.totalCompiles" { c = $2 }
        END { print f, t, c }'
}
wait_for_quiet service
start_service service "$work/data" "$roots" "$xmx" "$app/quarkus-run.jar" KILN_CHECKS_ENGINE_MODE=off "$@"
printf 'job\tcpu_s\tjit_s\tcompiles\n'
for i in $(seq 1 "$jobs"); do
    read -r _ jit_before compiles_before <<<"$(jit_counters "$service_pid")"
    measured_job service "$spec" "bench.warm_$i" "$work/data" "$i"
    read -r frequency jit_after compiles_after <<<"$(jit_counters "$service_pid")"
    awk -v j="$i" -v t="$job_cpu_ticks" -v hz="$ticks_per_second" -v jit="$((jit_after - jit_before))" -v f="$frequency" \
        -v c="$((compiles_after - compiles_before))" 'BEGIN { printf "%s\t%.2f\t%.2f\t%d\n", j, t / hz, jit / f, c }'
done
stop_service
