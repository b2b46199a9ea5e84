#!/usr/bin/env bash
# bench/job-threads.sh: how much faster a job runs with two job threads than with one (issue 23's goal: at least 1.8x),
# next to what this machine gives work that needs no coordination at all, measured in the same rounds.
#
# Each round runs these three, after waiting (a while) for a quiet machine, taking turns going first:
#   - one:  a service started with KILN_JOB_THREADS=1 runs the job twice (into two tables); the second, a warm service's
#           job, is measured: its wall time (submit to the job's recorded finishedAt) and the service's CPU time;
#   - two:  the same with KILN_JOB_THREADS=2;
#   - pair: two services with KILN_JOB_THREADS=1, each warmed up by one job, then given the measured job at the same
#           moment; the wall time is the later of the two ends. Two one-thread jobs share nothing, so 2 x one / pair is
#           what this machine's two cores give a perfectly parallel Kiln job: the limit for two / one.
# The job: the JSON-lines corpus of bench/spark-peer.sh (bench/GenerateCorpus.java), steps [normalize], check engine
# off, java -Xmx$KILN_BENCH_XMX per service. It prints a table per round, the medians of the rounds' two / one (Kiln's
# speedup), 2 x one / pair (the machine's) and their quotient, and the same ratios of the sides' median wall times
# (the one-thread job alone is the noisiest number, and each round's ratios inherit it).
#
# Environment:
#   KILN_BENCH_DIR          work dir (default /tmp/kiln-peer-bench; the corpus is shared with bench/spark-peer.sh)
#   KILN_BENCH_SIZE         corpus size (default 1G, decimal units)
#   KILN_BENCH_ROUNDS       rounds (default 3)
#   KILN_BENCH_SEED         corpus seed (default 42)
#   KILN_BENCH_XMX          heap limit of each service (default 1g)
#   KILN_BENCH_QUIET_WAIT   seconds to wait for other processes to use < 0.5 cores before each side (default 300)
#   KILN_BENCH_TIMEOUT      seconds to wait for one job (default 3600)
#   KILN_BENCH_POLL_SECONDS how often a job's state is asked for (default 1); wall times come from the jobs' own records
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
work="${KILN_BENCH_DIR:-/tmp/kiln-peer-bench}"
size="${KILN_BENCH_SIZE:-1G}"
rounds="${KILN_BENCH_ROUNDS:-3}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-1g}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-300}"
job_timeout="${KILN_BENCH_TIMEOUT:-3600}"
export KILN_BENCH_POLL_SECONDS="${KILN_BENCH_POLL_SECONDS:-1}"
source "$root/bench/lib.sh"

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "KILN_BENCH_ROUNDS must be a positive whole number, was $rounds"
for tool in java curl python3 awk; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool on the PATH"
done

# every service this script started, stopped however it ends
pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        service_pid="$pid"
        stop_service
    done
    pids=()
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build_if_missing "$root" "$jar"
commit="$(commit_label "$root")"

# --- the corpus, shared with bench/spark-peer.sh ---------------------------------------------
text_corpus "$root" "$work" "$size" "$seed"
input_dir="$corpus_dir" input="$corpus" records="$corpus_records"

# Starts a service with THREADS job threads in DATA and runs the warm-up job on it; sets service_pid and service_url.
warm_service() { # label data threads
    local label="$1" data="$2"
    rm -rf "$data"
    mkdir -p "$data"
    start_service "$label" "$data" "$input_dir" "$xmx" "$jar" KILN_CHECKS_ENGINE_MODE=off KILN_JOB_THREADS="$3"
    pids+=("$service_pid")
    normalize_spec bench.warmup "$input" "$data/warm-spec.json"
    normalize_spec bench.docs "$input" "$data/spec.json"
    warm_up_job "$label" "$service_url" "$data/warm-spec.json" "$data" "$job_timeout" "$service_pid"
}

# The measured job's wall seconds, from its document: finishedAt - createdAt. Fails unless every record was written.
job_seconds() { # label job-document
    python3 - "$1" "$2" "$records" <<'PY'
import datetime, json, sys
label, path, records = sys.argv[1], sys.argv[2], int(sys.argv[3])
j = json.load(open(path))
at = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
written = (j.get("counts") or {}).get("written")
if j["state"] != "PUBLISHED" or written != records:
    sys.exit(f"bench: [{label}] the job ended {j['state']} with {written} rows written; the corpus has {records} records")
print(f"{(at(j['finishedAt']) - at(j['createdAt'])).total_seconds():.2f}")
PY
}

results="$work/job-threads-$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'round\tside\tposition\twall_s\tcpu_s\tothers_cores\n' >"$results"

# Adds a row to the results: the side's wall seconds, its services' CPU (TICKS clock ticks) and what other processes kept
# busy meanwhile (the machine's busy ticks from BUSY_BEFORE to BUSY_AFTER, less the services').
record() { # round side position wall ticks busy_before busy_after
    awk -v r="$1" -v s="$2" -v p="$3" -v w="$4" -v k="$5" -v a="$6" -v b="$7" -v t="$ticks_per_second" \
        'BEGIN { printf "%s\t%s\t%s\t%s\t%.2f\t%.2f\n", r, s, p, w, k / t, (b - a - k) / t / w }' >>"$results"
}

run_single() { # round position side threads
    local label="$4 thread(s)" data="$work/threads-$3" id t0 t1 b0 b1 wall
    wait_for_quiet "$label"
    warm_service "$label" "$data" "$4"
    b0="$(machine_busy_ticks)"
    t0="$(process_ticks "$service_pid")"
    id="$(submit_job "$label" "$service_url" "$data/spec.json" "$data/submitted.json")"
    await_job "$label" "$service_url" "$id" "$data/job.json" "$job_timeout" "$service_pid"
    t1="$(process_ticks "$service_pid")"
    b1="$(machine_busy_ticks)"
    wall="$(job_seconds "$label" "$data/job.json")" || exit 1
    stop_all
    record "$1" "$3" "$2" "$wall" "$((t1 - t0))" "$b0" "$b1"
    say "[$label] $wall s wall, $(tail -n 1 "$results" | cut -f 5) CPU s"
}

run_pair() { # round position
    local label="pair" a_pid a_url b_pid b_url a_id b_id ta0 tb0 ta1 tb1 b0 b1 wall_a wall_b wall
    wait_for_quiet "$label"
    warm_service "pair a" "$work/threads-pair-a" 1
    a_pid="$service_pid" a_url="$service_url"
    warm_service "pair b" "$work/threads-pair-b" 1
    b_pid="$service_pid" b_url="$service_url"
    b0="$(machine_busy_ticks)"
    ta0="$(process_ticks "$a_pid")" tb0="$(process_ticks "$b_pid")"
    a_id="$(submit_job "pair a" "$a_url" "$work/threads-pair-a/spec.json" "$work/threads-pair-a/submitted.json")"
    b_id="$(submit_job "pair b" "$b_url" "$work/threads-pair-b/spec.json" "$work/threads-pair-b/submitted.json")"
    await_job "pair a" "$a_url" "$a_id" "$work/threads-pair-a/job.json" "$job_timeout" "$a_pid"
    await_job "pair b" "$b_url" "$b_id" "$work/threads-pair-b/job.json" "$job_timeout" "$b_pid"
    ta1="$(process_ticks "$a_pid")" tb1="$(process_ticks "$b_pid")"
    b1="$(machine_busy_ticks)"
    wall_a="$(job_seconds "pair a" "$work/threads-pair-a/job.json")" || exit 1
    wall_b="$(job_seconds "pair b" "$work/threads-pair-b/job.json")" || exit 1
    stop_all
    # both jobs' span: from the earlier start to the later end (they were submitted a few milliseconds apart)
    wall="$(python3 - "$work/threads-pair-a/job.json" "$work/threads-pair-b/job.json" <<'PY'
import datetime, json, sys
at = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
jobs = [json.load(open(p)) for p in sys.argv[1:]]
print(f"{(max(at(j['finishedAt']) for j in jobs) - min(at(j['createdAt']) for j in jobs)).total_seconds():.2f}")
PY
)"
    record "$1" pair "$2" "$wall" "$((ta1 - ta0 + tb1 - tb0))" "$b0" "$b1"
    say "[pair] $wall s wall for both ($wall_a and $wall_b), $(tail -n 1 "$results" | cut -f 5) CPU s"
}

sides=(one two pair)
for ((round = 1; round <= rounds; round++)); do
    for ((i = 0; i < 3; i++)); do
        side="${sides[$(((i + round - 1) % 3))]}"
        case "$side" in
            one) run_single "$round" "$((i + 1))" one 1 ;;
            two) run_single "$round" "$((i + 1))" two 2 ;;
            pair) run_pair "$round" "$((i + 1))" ;;
        esac
    done
done

python3 - "$results" "$size" "$records" "$commit" "$xmx" <<'PY'
import csv, statistics, sys
path, size, records, commit, xmx = sys.argv[1:]
rows = list(csv.DictReader(open(path), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(int(r["round"]), {})[r["side"]] = r
print(f"\nJob threads 1 -> 2: {size} of JSON lines ({records} records), steps [normalize], a warm service's second job, java -Xmx{xmx}; commit {commit}\n")
print("| round | side | order | wall s | CPU s | others' cores |")
print("|---|---|---|---:|---:|---:|")
for n in sorted(by):
    for side in ("one", "two", "pair"):
        r = by[n][side]
        label = {"one": "1 thread", "two": "2 threads", "pair": "two 1-thread jobs at once"}[side]
        print(f"| {n} | {label} | {r['position']} | {r['wall_s']} | {r['cpu_s']} | {r['others_cores']} |")
kiln, machine, share = [], [], []
for n in sorted(by):
    one, two, pair = (float(by[n][s]["wall_s"]) for s in ("one", "two", "pair"))
    kiln.append(one / two)
    machine.append(2 * one / pair)
    share.append((one / two) / (2 * one / pair))
    print(f"\nround {n}: 2 threads / 1 thread {one / two:.2f}x; two 1-thread jobs at once {2 * one / pair:.2f}x; Kiln's share of the machine's {share[-1]:.2f}", end="")
print("\n")
print(f"Job threads 1 -> 2 (median of the rounds): {statistics.median(kiln):.2f}x")
print(f"The machine, two independent 1-thread jobs (2 x one / pair): {statistics.median(machine):.2f}x")
print(f"Kiln's speedup / the machine's: {statistics.median(share):.2f}")
one, two, pair = (statistics.median(float(by[n][s]["wall_s"]) for n in by) for s in ("one", "two", "pair"))
print(f"From the sides' median wall times ({one:.2f}, {two:.2f} and {pair:.2f} s): Kiln {one / two:.2f}x, the machine "
      f"{2 * one / pair:.2f}x, Kiln / machine {(one / two) / (2 * one / pair):.2f}")
print(f"Raw results: {path}")
PY
