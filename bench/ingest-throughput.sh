#!/usr/bin/env bash
# bench/ingest-throughput.sh: Kiln ingest throughput and peak memory for JSONL with `normalize` only.
#
# For each input size (default 100 MB and 1 GB, decimal units) it
#   1. generates the corpus once (bench/GenerateCorpus.java; kept in $KILN_BENCH_DIR/input-<size>/),
#   2. waits (a while) for the machine to be quiet, then measures the limit on that file right before
#      Kiln (bench/RawRead.java: read + sha256 + split into lines; and read only, like cat); the page
#      cache is left as it is, so both see it warm,
#   3. starts a fresh service (fresh data dir, free port, java -Xmx1g), submits one job
#      (jsonl, steps: normalize), polls it to the end while sampling the service's RSS, reads the
#      peak RSS (VmHWM) and the CPU time it used, and stops the service,
# then prints a table with the ratios ingest/limit and peak RSS 1 GB / 100 MB.
#
# Environment:
#   KILN_BENCH_DIR          work dir (default /tmp/kiln-bench): inputs, data dirs, logs, results
#   KILN_BENCH_SIZES        sizes to run (default "100M 1G"; e.g. "10M" for a quick check)
#   KILN_BENCH_SEED         corpus seed (default 42)
#   KILN_BENCH_XMX          service heap limit (default 1g)
#   KILN_BENCH_TIMEOUT      seconds to wait for one job (default 3600)
#   KILN_BENCH_QUIET_WAIT   seconds to wait for other processes to use < 0.5 cores before each size (default 300; 0: don't wait)
#   KILN_JOB_THREADS, KILN_WORKERS, KILN_BATCH_SIZE, ...  passed to the service as usual
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
sizes="${KILN_BENCH_SIZES:-100M 1G}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-1g}"
job_timeout="${KILN_BENCH_TIMEOUT:-3600}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-300}"
# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet, stop_service
source "$root/bench/lib.sh"

for tool in java curl python3 awk; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool on the PATH"
done
[[ -r /proc/self/status && -r /proc/stat ]] || fail "needs Linux /proc (RSS and CPU are read from it)"

stop_service_on_exit

# state, phase and fraction of a job document, tab-separated; jq when there is one (cheaper while polling)
if command -v jq >/dev/null 2>&1; then
    job_fields() {
        jq -r '[.state, (.progress.phase // "-"), (.progress.fraction // 0)] | @tsv' "$1"
    }
else
    job_fields() {
        python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); p = j.get("progress") or {}; print(j["state"], p.get("phase") or "-", p.get("fraction", 0), sep="\t")' "$1"
    }
fi

# --- build -----------------------------------------------------------------------------------
build_if_missing "$root" "$jar"
commit="$(commit_label "$root")"

mkdir -p "$work"
work="$(cd "$work" && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$work/results-$stamp.tsv"
settings="workers=${KILN_WORKERS:-2} job-threads=${KILN_JOB_THREADS:-2} batch-size=${KILN_BATCH_SIZE:-1000} target-file-size-bytes=${KILN_TARGET_FILE_SIZE_BYTES:-134217728}"
printf 'size\tbytes\trows_read\trows_written\trows_rejected\tbytes_total\tjob_s\tplanning_s\treading_s\tcommitting_s\tingest_mb_s\teffective_mb_s\tlimit_mb_s\tlimit_mb_per_cpu_s\tread_only_mb_s\tpeak_rss_mb\tmax_sampled_rss_mb\tmax_heap_after_gc_mb\tjob_cpu_s\tothers_cores\n' >"$results"
say "work dir $work; jar $jar (commit $commit); $(nproc) cores; settings: $settings; java -Xmx$xmx"

# --- one size --------------------------------------------------------------------------------
run_size() {
    local label="$1"
    local bytes name
    bytes="$(size_bytes "$label")"
    name="$(tr '[:upper:]' '[:lower:]' <<<"$label")"
    local input_dir="$work/input-$name"
    local input="$input_dir/corpus.jsonl"

    if [[ -f "$input" ]] && [[ "$(stat -c %s "$input")" == "$bytes" ]]; then
        say "[$label] corpus present: $input"
    else
        say "[$label] generating $bytes bytes of JSONL into $input (seed $seed)"
        rm -f "$input"
        java "$root/bench/GenerateCorpus.java" "$input" "$bytes" "$seed" || fail "corpus generation failed"
    fi

    wait_for_quiet "$label"
    say "[$label] raw read of the input (the limit)"
    local raw limit limit_per_cpu read_only
    raw="$(java -Xmx1g "$root/bench/RawRead.java" "$input")" || fail "RawRead failed"
    printf '%s\n' "$raw" | grep '^raw-read:' >&2
    limit="$(sed -n 's/^limit_mb_s=//p' <<<"$raw")"
    limit_per_cpu="$(sed -n 's/^limit_mb_per_cpu_s=//p' <<<"$raw")"
    read_only="$(sed -n 's/^read_only_mb_s=//p' <<<"$raw")"

    local data="$work/data-$name"
    rm -rf "$data"
    mkdir -p "$data"
    start_service "$label" "$data" "$input_dir" "$xmx" "$jar"
    local url="$service_url" log="$data/service.log" deadline

    local spec="$data/job-spec.json" submitted="$data/submitted.json" id
    python3 -c 'import json, sys; print(json.dumps({"table": "bench.docs", "source": {"uri": "file://" + sys.argv[1], "format": "jsonl"}, "steps": [{"name": "normalize"}]}))' "$input" >"$spec"
    local submitted_at busy_before kiln_before
    busy_before="$(machine_busy_ticks)"
    kiln_before="$(process_ticks "$service_pid")"
    submitted_at="$(now)"
    id="$(submit_job "$label" "$url" "$spec" "$submitted")"
    say "[$label] job $id submitted; polling every 0.5 s"

    local job="$data/job.json" samples="$data/rss-samples.tsv"
    printf 'seconds\trss_kb\tphase\tfraction\n' >"$samples"
    local state="" phase="" last_phase="" max_rss=0 rss fraction
    local reading_at="" committing_at="" last_report=$SECONDS
    deadline=$((SECONDS + job_timeout))
    while true; do
        curl -sS --max-time 5 -o "$job" "$url/v1/jobs/$id" || { sleep 0.5; continue; }
        IFS=$'\t' read -r state phase fraction < <(job_fields "$job")
        rss="$(proc_kb "$service_pid" VmRSS)"
        rss="${rss:-0}"
        ((rss > max_rss)) && max_rss=$rss
        printf '%s\t%s\t%s\t%s\n' "$(awk -v a="$(now)" -v b="$submitted_at" 'BEGIN { printf "%.2f", a - b }')" "$rss" "$phase" "$fraction" >>"$samples"
        if [[ "$phase" != "$last_phase" ]]; then
            [[ "$phase" == READING ]] && reading_at="$(now)"
            [[ "$phase" == COMMITTING ]] && committing_at="$(now)"
            last_phase="$phase"
        fi
        if [[ "$state" == PUBLISHED || "$state" == FAILED || "$state" == CANCELLED ]]; then
            break
        fi
        if ((SECONDS - last_report >= 15)); then
            say "[$label]   $state $phase, $(awk -v f="$fraction" 'BEGIN { printf "%.0f", 100 * f }')% of both passes, RSS $((rss / 1024)) MB"
            last_report=$SECONDS
        fi
        ((SECONDS < deadline)) || fail "[$label] job $id did not end within $job_timeout s"
        sleep 0.5
    done
    local ended_at peak_rss busy_after kiln_after
    ended_at="$(now)"
    kiln_after="$(process_ticks "$service_pid")"
    busy_after="$(machine_busy_ticks)"
    peak_rss="$(proc_kb "$service_pid" VmHWM)"
    stop_service
    if [[ "$state" != PUBLISHED ]]; then
        cat "$job" >&2
        fail "[$label] job $id ended $state (log: $log)"
    fi

    python3 - "$job" "$label" "$bytes" "$limit" "$limit_per_cpu" "$read_only" "$peak_rss" "$max_rss" "$data/gc.log" \
        "$submitted_at" "${reading_at:-}" "${committing_at:-}" "$ended_at" \
        "$kiln_before" "$kiln_after" "$busy_before" "$busy_after" "$ticks_per_second" >>"$results" <<'EOF'
import json, re, sys
from datetime import datetime
(job_file, label, size, limit, limit_per_cpu, read_only, peak_kb, max_rss_kb, gc_log, submitted, reading, committing, ended,
 kiln_before, kiln_after, busy_before, busy_after, ticks) = sys.argv[1:]
j = json.load(open(job_file))
def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
size = int(size)
seconds = (instant(j["finishedAt"]) - instant(j["startedAt"])).total_seconds()
counts = j.get("counts") or {}
progress = j.get("progress") or {}
# phases as seen by polling (0.5 s resolution): planning = until READING was first seen
def span(a, b):
    return f"{float(b) - float(a):.1f}" if a and b else ""
# the heap left after young, mixed and full collections: what the service held, not what the JVM reserved
heap_after = 0.0
units = {"K": 1 / 1024, "M": 1, "G": 1024}
for line in open(gc_log, errors="replace"):
    m = re.search(r"Pause (Young|Full).*->(\d+)([KMG])\(\d+[KMG]\)", line)
    if m:
        heap_after = max(heap_after, int(m.group(2)) * units[m.group(3)])
wall = float(ended) - float(submitted)
ticks = float(ticks)
job_cpu = (int(kiln_after) - int(kiln_before)) / ticks
others = ((int(busy_after) - int(busy_before)) / ticks - job_cpu) / wall
row = [label, size, counts.get("read"), counts.get("written"), counts.get("rejected"), progress.get("bytesTotal"),
       f"{seconds:.2f}", span(submitted, reading), span(reading, committing), span(committing, ended),
       f"{size / 1e6 / seconds:.1f}", f"{2 * size / 1e6 / seconds:.1f}", limit, limit_per_cpu, read_only,
       f"{int(peak_kb) / 1024:.0f}", f"{int(max_rss_kb) / 1024:.0f}", f"{heap_after:.0f}", f"{job_cpu:.1f}", f"{max(others, 0):.2f}"]
print("\t".join(str(x) for x in row))
EOF
    say "[$label] done: $(tail -n 1 "$results" | cut -f 4,7,11,13,16 | tr '\t' ' ') (rows, job s, MB/s, limit MB/s, peak RSS MB)"
}

for size in $sizes; do
    run_size "$size"
done

# --- report ----------------------------------------------------------------------------------
python3 - "$results" "$commit" "$settings" "$xmx" "$(nproc)" <<'EOF'
import csv, sys
results, commit, settings, xmx, cores = sys.argv[1:]
rows = list(csv.DictReader(open(results), delimiter="\t"))
print()
print(f"Kiln ingest, jsonl + normalize; commit {commit}; {settings}; java -Xmx{xmx}; {cores} cores; 1 MB = 10^6 bytes")
print()
head = ["input", "rows written", "job s", "ingest MB/s", "effective read MB/s", "limit MB/s", "ingest / limit",
        "effective / limit", "peak RSS MB", "max heap after GC MB", "job CPU s", "MB per CPU s (limit's)", "others' cores", "plan / read / commit s"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---" for _ in head) + "|")
for r in rows:
    ingest, effective, limit = float(r["ingest_mb_s"]), float(r["effective_mb_s"]), float(r["limit_mb_s"])
    per_cpu = int(r["bytes"]) / 1e6 / float(r["job_cpu_s"])
    line = [r["size"], r["rows_written"], r["job_s"], r["ingest_mb_s"], r["effective_mb_s"], r["limit_mb_s"],
            f"{ingest / limit:.3f}", f"{effective / limit:.3f}", r["peak_rss_mb"], r["max_heap_after_gc_mb"], r["job_cpu_s"],
            f"{per_cpu:.1f} ({r['limit_mb_per_cpu_s']})", r["others_cores"],
            f"{r['planning_s'] or '?'} / {r['reading_s'] or '?'} / {r['committing_s'] or '?'}"]
    print("| " + " | ".join(line) + " |")
print()
for r in rows:
    print(f"{r['size']}: rows read {r['rows_read']}, written {r['rows_written']}, rejected {r['rows_rejected']}; "
          f"progress.bytesTotal {r['bytes_total']} (input {r['bytes']} bytes); read-only (cat) {r['read_only_mb_s']} MB/s")
by_size = {r["size"].upper(): r for r in rows}
if "100M" in by_size and "1G" in by_size:
    small, large = by_size["100M"], by_size["1G"]
    ratio = float(large["peak_rss_mb"]) / float(small["peak_rss_mb"])
    heap = float(large["max_heap_after_gc_mb"]) / max(1.0, float(small["max_heap_after_gc_mb"]))
    print(f"peak RSS 1G / 100M = {ratio:.2f}; max heap after GC 1G / 100M = {heap:.2f} (input ratio 10)")
print()
print("ingest = input bytes / (finishedAt - startedAt); effective read = 2 x that (Kiln reads every input twice: sha256 plan, then parse);")
print("limit = one pass of read + sha256 + split into lines over the same file, right before the job (warm page cache);")
print("job CPU s = the service's CPU time from submit to end; MB per CPU s compares it with the limit's (less sensitive to other load);")
print("others' cores = CPUs kept busy by other processes during the job; plan / read / commit s = phases as seen by polling (+-0.5 s).")
print(f"Raw results: {results}")
EOF
