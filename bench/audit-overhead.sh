#!/usr/bin/env bash
# bench/audit-overhead.sh: what write-audit-publish costs. Audit time vs ingest time for a 1 M-row job on a warm
# check engine, the engine's cold start, and the engine's memory. The goal: the audit adds at most 15 % to a
# 1 M-row job (audit / ingest <= 0.15).
#
#   1. generates the rows once (bench/GenerateRows.java, which reuses GenerateCorpus's real-text pool and mess):
#      $KILN_BENCH_DIR/input-1m-rows/rows.jsonl (1,000,000 rows, about 330 B a line) and a 1,000-row warm-up file,
#   2. waits (a while) for the machine to be quiet, starts a fresh service (fresh data dir, free port,
#      java -Xmx2g, from the repository root so that it finds checks/target/engine and checks/suites) and times the
#      engine's cold start: polling every 0.1 s, the service ready, the engine process started, the engine's own
#      /health UP (Spark session up) and Kiln's GET /v1/checks/engine UP; from the engine log, LISTENING, Spark
#      started and the end of its background warm-up,
#   3. runs a warm-up job (1,000 rows, same suite) as soon as Kiln says UP, then, KILN_BENCH_REPEATS times, the
#      1 M-row job with the suite into a fresh table and the same job without a suite into another fresh table
#      (Kiln's own rules only: staging, audit and publish without the engine); then (KILN_BENCH_APPEND=1) 1 M more
#      rows with new ids appended to the last table with the suite (suite-append: ids above the table's, so the
#      engine's check of the batch's ids against the table's skips every table file by its bounds), and 1 M rows whose
#      ids interleave with a 1 M table's (suite-append-interleaved: doc-000000001-b sorts between doc-000000001 and
#      doc-000000002, so every table file overlaps and the engine joins the batch's ids with the table's); each job is
#      polled every 0.2 s, with CPU time of the service, of the engine and of everything else,
#   4. reads the engine's VmRSS / VmHWM after each 1 M audit, and the service's peak RSS,
#   5. unless KILN_BENCH_RULES=0, times the suite rule by rule on the last 1 M snapshot through the engine's own
#      POST /verify, after 5 runs of the whole suite: each rule alone, the first k rules (what adding rule k to the one
#      fused Deequ pass costs) and the suite without each rule (each run paired with a run of the whole suite); every
#      variant KILN_BENCH_RULE_REPEATS times, the fastest counts,
# then prints markdown tables: ingest s, audit s, audit / ingest (the goal's figure), audit / total, CPU seconds.
#
# ingest = auditStartedAt - startedAt (plan, read, transform, write Parquet, stage on audit-<jobId>);
# audit  = finishedAt - auditStartedAt (Kiln's rules, the suite on the engine, publish: main fast-forwarded).
#
# Environment:
#   KILN_BENCH_DIR          work dir (default /tmp/kiln-bench): inputs, data dir, logs, results
#   KILN_BENCH_ROWS         rows of the measured job (default 1000000)
#   KILN_BENCH_WARMUP_ROWS  rows of the warm-up job (default 1000)
#   KILN_BENCH_REPEATS      how many times the pair (with suite, without) runs (default 3)
#   KILN_BENCH_SUITE        the suite (default text-default, i.e. checks/suites/text-default.dqdl)
#   KILN_BENCH_APPEND       1 (default): also append a second batch to a table that has one; 0: don't
#   KILN_BENCH_RULES        1 (default): time the suite rule by rule after the jobs; 0: don't
#   KILN_BENCH_RULE_REPEATS runs of each rule-by-rule variant, the fastest counts (default 3)
#   KILN_BENCH_SEED         generator seed (default 42)
#   KILN_BENCH_XMX          service heap limit (default 2g)
#   KILN_BENCH_TIMEOUT      seconds to wait for one job (default 3600)
#   KILN_BENCH_QUIET_WAIT   seconds to wait for other processes to use < 0.5 cores before each job (default 300; 0: don't wait)
#   KILN_CHECKS_ENGINE_HEAP, KILN_CHECKS_ENGINE_SPARK_MASTER, KILN_JOB_THREADS, KILN_TARGET_FILE_SIZE_BYTES, ...
#                           passed to the service as usual
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/quarkus-app/quarkus-run.jar"
engine_dir="$root/checks/target/engine"
work="${KILN_BENCH_DIR:-/tmp/kiln-bench}"
rows="${KILN_BENCH_ROWS:-1000000}"
warmup_rows="${KILN_BENCH_WARMUP_ROWS:-1000}"
repeats="${KILN_BENCH_REPEATS:-3}"
suite="${KILN_BENCH_SUITE:-text-default}"
rule_by_rule="${KILN_BENCH_RULES:-1}"
rule_repeats="${KILN_BENCH_RULE_REPEATS:-3}"
append="${KILN_BENCH_APPEND:-1}"
seed="${KILN_BENCH_SEED:-42}"
xmx="${KILN_BENCH_XMX:-2g}"
job_timeout="${KILN_BENCH_TIMEOUT:-3600}"
quiet_wait="${KILN_BENCH_QUIET_WAIT:-300}"
# shared helpers: say, fail, machine_busy_ticks, wait_for_quiet, stop_service
source "$root/bench/lib.sh"
goal="0.15"

for tool in java javac curl python3 awk; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool on the PATH"
done
[[ -r /proc/self/status && -r /proc/stat ]] || fail "needs Linux /proc (RSS and CPU are read from it)"
[[ "$rows" =~ ^[0-9]+$ && "$warmup_rows" =~ ^[0-9]+$ && "$repeats" =~ ^[0-9]+$ ]] || fail "KILN_BENCH_ROWS, KILN_BENCH_WARMUP_ROWS and KILN_BENCH_REPEATS must be whole numbers"

stop_service_on_exit

# Fields read while polling; jq when there is one (python3 costs ~50 ms of CPU a call, which a 2-core machine feels)
if command -v jq >/dev/null 2>&1; then
    job_state() {
        jq -r '.state' "$1"
    }
    engine_fields() { # the JSON of GET /v1/checks/engine -> state, pid, port, tab-separated
        jq -r '[.state // "", (.pid // "" | tostring), (.port // "" | tostring)] | @tsv' <<<"$1"
    }
else
    job_state() {
        python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["state"])' "$1"
    }
    engine_fields() {
        python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(j.get("state") or "", j.get("pid") or "", j.get("port") or "", sep="\t")' "$1"
    }
fi

gc_seconds() { # pid -> seconds the JVM spent in GC so far (jstat's GCT), or empty
    jstat -gcutil "$1" 2>/dev/null | awk 'NR == 2 { print $NF }' || true
}

process_start() { # pid -> when it started, in seconds since the epoch (clock-tick resolution)
    awk -v t="$ticks_per_second" -v b="$(awk '$1 == "btime" { print $2 }' /proc/stat)" \
        '{ sub(/^.*\) /, ""); printf "%.2f\n", b + $20 / t }' "/proc/$1/stat"
}

rows_label() { # 1000000 -> 1m, 1000 -> 1k, 2500 -> 2500
    python3 -c '
import sys
n = int(sys.argv[1])
for unit, name in ((10**9, "g"), (10**6, "m"), (10**3, "k")):
    if n >= unit and n % unit == 0:
        print(f"{n // unit}{name}"); break
else:
    print(n)' "$1"
}

# --- build -----------------------------------------------------------------------------------
if [[ ! -f "$jar" || ! -f "$engine_dir/kiln-check-engine.jar" ]]; then
    say "building Kiln and the check engine (./mvnw -q -DskipTests package) in $root"
    (cd "$root" && ./mvnw -q -DskipTests package) || fail "the build failed"
elif [[ -n "$(find "$root/src" "$root/checks/src" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    say "warning: sources are newer than $jar; measuring the build as it is (rebuild to measure the sources)"
fi
[[ -f "$root/checks/suites/$suite.dqdl" ]] || fail "no suite $root/checks/suites/$suite.dqdl"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ "$commit" != unknown ]] && [[ -n "$(git -C "$root" status --porcelain --untracked-files=no -- src checks/src pom.xml checks/pom.xml 2>/dev/null)" ]]; then
    commit="$commit+local-changes"
fi

mkdir -p "$work"
work="$(cd "$work" && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$work/audit-results-$stamp.tsv"
settings="workers=${KILN_WORKERS:-2} job-threads=${KILN_JOB_THREADS:-2} batch-size=${KILN_BATCH_SIZE:-1000} target-file-size-bytes=${KILN_TARGET_FILE_SIZE_BYTES:-134217728}"
engine_settings="engine heap ${KILN_CHECKS_ENGINE_HEAP:-1g}, Spark master ${KILN_CHECKS_ENGINE_SPARK_MASTER:-local[*]}"
say "work dir $work; commit $commit; $(nproc) cores; settings: $settings; $engine_settings; java -Xmx$xmx; suite $suite"

# --- inputs ----------------------------------------------------------------------------------
classes="$work/classes"
generate_rows() { # rows [first id [seed]] -> path of the file (generated once per rows, first id and seed)
    local n="$1" first="${2:-1}" file_seed="${3:-$seed}" dir file
    dir="$work/input-$(rows_label "$n")-rows"
    file="$dir/rows.jsonl"
    ((first == 1)) || file="$dir/rows-from-$first.jsonl"
    if [[ -f "$file" && "$(cat "$file.generated" 2>/dev/null)" == "rows=$n seed=$file_seed first=$first" ]]; then
        say "input present: $file ($(stat -c %s "$file") bytes)"
    else
        if [[ ! -f "$classes/GenerateRows.class" || "$root/bench/GenerateRows.java" -nt "$classes/GenerateRows.class" || "$root/bench/GenerateCorpus.java" -nt "$classes/GenerateRows.class" ]]; then
            mkdir -p "$classes"
            javac -d "$classes" "$root/bench/GenerateCorpus.java" "$root/bench/GenerateRows.java" || fail "cannot compile the generator"
        fi
        say "generating $n rows (ids from $first) into $file (seed $file_seed)"
        rm -f "$file" "$file.generated"
        java -cp "$classes" GenerateRows "$file" "$n" "$file_seed" "$first" 2> >(tee "$file.log" >&2) || fail "row generation failed"
        printf 'rows=%s seed=%s first=%s\n' "$n" "$file_seed" "$first" >"$file.generated"
    fi
    printf '%s\n' "$file"
}
input="$(generate_rows "$rows")"
warmup_input="$(generate_rows "$warmup_rows")"
append_input=""
interleaved_input=""
if [[ "$append" != 0 ]]; then
    append_input="$(generate_rows "$rows" $((rows + 1)) $((seed + 1)))"
    # the same rows with ids that sort between the table's: doc-000000001-b after doc-000000001
    interleaved_input="$(dirname "$input")/rows-interleaved.jsonl"
    if [[ ! -f "$interleaved_input" || "$input" -nt "$interleaved_input" ]]; then
        sed -E 's/^\{"id": "(doc-[0-9]+)"/{"id": "\1-b"/' "$input" >"$interleaved_input.tmp" && mv "$interleaved_input.tmp" "$interleaved_input"
    fi
fi
input_bytes="$(stat -c %s "$input")"

# --- service and engine cold start -----------------------------------------------------------
data="$work/data-audit"
rm -rf "$data"
mkdir -p "$data"
port="$(free_port)"
url="http://127.0.0.1:$port"
log="$data/service.log"
engine_log="$data/checks/engine.log"

wait_for_quiet "start"
say "starting a fresh service on port $port (data $data)"
launched_at="$(now)"
# from the repository root: the engine (checks/target/engine) and the suites (checks/suites) are found relative to it
(cd "$root" && KILN_DATA_DIR="$data" KILN_SOURCE_ROOTS="$(dirname "$input"),$(dirname "$warmup_input")" QUARKUS_HTTP_PORT="$port" \
    exec java "-Xmx$xmx" "-Xlog:gc:file=$data/gc.log" -jar "$jar") >"$log" 2>&1 &
service_pid=$!
service_started="$(process_start "$service_pid")"

ready_at="" engine_pid="" engine_port="" engine_health_at="" kiln_up_at="" engine_state=""
deadline=$((SECONDS + 240))
while [[ -z "$kiln_up_at" || -z "$engine_health_at" ]]; do
    kill -0 "$service_pid" 2>/dev/null || { tail -n 30 "$log" >&2; fail "the service exited during startup (log: $log)"; }
    ((SECONDS < deadline)) || { tail -n 30 "$log" >&2; fail "the engine was not UP after 240 s (state ${engine_state:-?}; logs: $log, $engine_log)"; }
    if [[ -z "$ready_at" ]] && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/q/health/ready" || true)" == 200 ]]; then
        ready_at="$(now)"
    fi
    if [[ -n "$ready_at" && -z "$kiln_up_at" ]]; then
        status="$(curl -s --max-time 1 "$url/v1/checks/engine" || true)"
        if [[ -n "$status" ]]; then
            IFS=$'\t' read -r engine_state engine_pid engine_port < <(engine_fields "$status")
            [[ "$engine_state" == UP ]] && kiln_up_at="$(now)"
            [[ "$engine_state" == UNAVAILABLE ]] && fail "the check engine is UNAVAILABLE: $status"
        fi
    fi
    if [[ -n "$engine_port" && -z "$engine_health_at" ]] && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$engine_port/health" || true)" == 200 ]]; then
        engine_health_at="$(now)"
    fi
    sleep 0.1
done
engine_started="$(process_start "$engine_pid")"
say "engine UP (pid $engine_pid, port $engine_port): Kiln says UP $(awk -v a="$kiln_up_at" -v b="$service_started" 'BEGIN { printf "%.1f", a - b }') s after the service's JVM started"
[[ -f "$engine_log" ]] || fail "no engine log at $engine_log"

# --- jobs ------------------------------------------------------------------------------------
printf 'kind\trun\ttable\tjob\tstate\trows_read\trows_written\trows_rejected\tqueued_s\tingest_s\taudit_s\ttotal_s\tverify_ms\tservice_cpu_s\tengine_cpu_s\tengine_cpu_audit_s\tothers_cores\tengine_gc_s\tengine_rss_mb\tengine_hwm_mb\tservice_hwm_mb\tservice_max_rss_mb\tdata_files\tsnapshot\n' >"$results"

# run_job KIND RUN TABLE INPUT SUITE|"" : submits one job, polls it to the end, appends a line to $results
run_job() {
    local kind="$1" run="$2" table="$3" file="$4" checks="$5"
    local label="$kind $run" job_dir="$data/jobs/$kind-$run"
    mkdir -p "$job_dir"
    local spec="$job_dir/spec.json" submitted="$job_dir/submitted.json" job="$job_dir/job.json" http id
    python3 -c '
import json, sys
spec = {"table": sys.argv[1], "source": {"uri": "file://" + sys.argv[2], "format": "jsonl"}, "steps": [{"name": "normalize"}]}
if sys.argv[3]:
    spec["checks"] = sys.argv[3]
print(json.dumps(spec))' "$table" "$file" "$checks" >"$spec"
    local busy_before service_before engine_before submitted_at gc_before gc_after
    gc_before="$(gc_seconds "$engine_pid")"
    busy_before="$(machine_busy_ticks)"
    service_before="$(process_ticks "$service_pid")"
    engine_before="$(process_ticks "$engine_pid")"
    submitted_at="$(now)"
    http="$(curl -sS -o "$submitted" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "@$spec" "$url/v1/jobs")"
    [[ "$http" == 202 || "$http" == 200 || "$http" == 201 ]] || { cat "$submitted" >&2; fail "[$label] POST /v1/jobs answered $http"; }
    id="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$submitted")"
    say "[$label] job $id into $table${checks:+ with suite $checks}; polling every 0.2 s"
    local state="" engine_at_audit="" max_rss=0 rss deadline=$((SECONDS + job_timeout))
    while true; do
        curl -sS --max-time 5 -o "$job" "$url/v1/jobs/$id" || { sleep 0.2; continue; }
        state="$(job_state "$job")"
        rss="$(proc_kb "$service_pid" VmRSS)"
        rss="${rss:-0}"
        ((rss > max_rss)) && max_rss=$rss
        [[ "$state" == AUDITING && -z "$engine_at_audit" ]] && engine_at_audit="$(process_ticks "$engine_pid")"
        case "$state" in PUBLISHED | REJECTED | FAILED | CANCELLED) break ;; esac
        ((SECONDS < deadline)) || fail "[$label] job $id did not end within $job_timeout s"
        sleep 0.2
    done
    local ended_at busy_after service_after engine_after
    ended_at="$(now)"
    busy_after="$(machine_busy_ticks)"
    service_after="$(process_ticks "$service_pid")"
    engine_after="$(process_ticks "$engine_pid")"
    gc_after="$(gc_seconds "$engine_pid")"
    [[ "$state" == PUBLISHED ]] || { cat "$job" >&2; fail "[$label] job $id ended $state (logs: $log, $engine_log)"; }
    local engine_rss engine_hwm service_hwm snapshots="$job_dir/snapshots.json"
    engine_rss="$(proc_kb "$engine_pid" VmRSS)"
    engine_hwm="$(proc_kb "$engine_pid" VmHWM)"
    service_hwm="$(proc_kb "$service_pid" VmHWM)"
    curl -sS --max-time 10 -o "$snapshots" "$url/v1/tables/$table/snapshots" || echo '{}' >"$snapshots"
    python3 - "$job" "$snapshots" "$engine_log" "$kind" "$run" "$submitted_at" "$ended_at" "$busy_before" "$busy_after" \
        "$service_before" "$service_after" "$engine_before" "${engine_at_audit:-}" "$engine_after" "$ticks_per_second" \
        "${gc_before:-}" "${gc_after:-}" "${engine_rss:-0}" "${engine_hwm:-0}" "${service_hwm:-0}" "$max_rss" >>"$results" <<'EOF'
import json, re, sys
from datetime import datetime
(job_file, snapshots_file, engine_log, kind, run, submitted, ended, busy_before, busy_after, service_before, service_after,
 engine_before, engine_at_audit, engine_after, ticks, gc_before, gc_after, engine_rss, engine_hwm, service_hwm, service_max_rss) = sys.argv[1:]
j = json.load(open(job_file))
def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
started, audit_started, finished = instant(j["startedAt"]), instant(j["auditStartedAt"]), instant(j["finishedAt"])
ticks = float(ticks)
wall = float(ended) - float(submitted)
service_cpu = (int(service_after) - int(service_before)) / ticks
engine_cpu = (int(engine_after) - int(engine_before)) / ticks
engine_cpu_audit = f"{(int(engine_after) - int(engine_at_audit)) / ticks:.1f}" if engine_at_audit else ""
others = ((int(busy_after) - int(busy_before)) / ticks - service_cpu - engine_cpu) / wall
# the engine's own time for this verification: "Verified <table> snapshot <id>: N rows, PASSED in M ms"
verify_ms = ""
snapshot = str(j.get("auditedSnapshotId") or "")
for line in open(engine_log, errors="replace"):
    m = re.search(r"Verified (\S+) snapshot (\d+): \d+ rows, \w+ in (\d+) ms", line)
    if m and m.group(1) == j["table"] and m.group(2) == snapshot:
        verify_ms = m.group(3)
# data files the staged snapshot added (= Spark read splits: Kiln writes one row group per file)
data_files = ""
for s in (json.load(open(snapshots_file)).get("snapshots") or []):
    if str(s.get("snapshotId") or s.get("id")) == snapshot:
        data_files = (s.get("summary") or {}).get("added-data-files", "")
counts = j.get("counts") or {}
row = [kind, run, j["table"], j["id"], j["state"], counts.get("read"), counts.get("written"), counts.get("rejected"),
       f"{(started - instant(j['createdAt'])).total_seconds():.2f}",
       f"{(audit_started - started).total_seconds():.2f}", f"{(finished - audit_started).total_seconds():.2f}",
       f"{(finished - started).total_seconds():.2f}", verify_ms, f"{service_cpu:.1f}", f"{engine_cpu:.1f}", engine_cpu_audit,
       f"{max(others, 0):.2f}", f"{float(gc_after) - float(gc_before):.2f}" if gc_before and gc_after else "", f"{int(engine_rss) / 1024:.0f}", f"{int(engine_hwm) / 1024:.0f}", f"{int(service_hwm) / 1024:.0f}",
       f"{int(service_max_rss) / 1024:.0f}", data_files, snapshot]
print("\t".join(str(x) for x in row))
EOF
    say "[$label] done: $(tail -n 1 "$results" | cut -f 7,10,11,12 | tr '\t' ' ') (rows, ingest s, audit s, total s)"
}

run_job warmup 0 bench.warmup "$warmup_input" "$suite"
for run in $(seq 1 "$repeats"); do
    wait_for_quiet "run $run"
    run_job suite "$run" "bench.rows_suite_$run" "$input" "$suite"
    say "[suite $run] engine heap (jstat -gcutil): $(jstat -gcutil "$engine_pid" 2>/dev/null | tr -s ' ' | paste -sd '|' || true)"
    wait_for_quiet "run $run"
    run_job kiln-rules-only "$run" "bench.rows_plain_$run" "$input" ""
done
if [[ -n "$append_input" ]] && ((repeats > 0)); then
    wait_for_quiet "append"
    run_job suite-append 1 "bench.rows_suite_$repeats" "$append_input" "$suite"
    if ((repeats > 1)); then
        wait_for_quiet "append, interleaved ids"
        run_job suite-append-interleaved 1 "bench.rows_suite_$((repeats - 1))" "$interleaved_input" "$suite"
    fi
fi

# --- the suite rule by rule, on the engine directly ------------------------------------------
rules_results="$work/audit-rules-$stamp.tsv"
last_table="bench.rows_suite_$repeats"
if [[ "$rule_by_rule" != 0 ]] && ((repeats > 0)); then
    wait_for_quiet "rules"
    say "timing $suite rule by rule on $last_table through the engine's POST /verify (port $engine_port)"
    python3 - "$engine_port" "$engine_pid" "$data" "$last_table" "$results" "$root/checks/suites/$suite.dqdl" "$ticks_per_second" "$rule_repeats" >"$rules_results" <<'EOF'
import csv, json, sys, time, urllib.error, urllib.request
port, pid, data, table, results, suite_file, ticks, repeats = sys.argv[1:]
ticks, repeats = float(ticks), int(repeats)
snapshot = int([r for r in csv.DictReader(open(results), delimiter="\t") if r["kind"] == "suite"][-1]["snapshot"])  # the last run with the suite
suite_text = open(suite_file).read()
def post(path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        return json.load(urllib.request.urlopen(request, timeout=1800))
    except urllib.error.HTTPError as e:
        raise SystemExit(f"POST {path} answered {e.code}: {e.read().decode(errors='replace')}")
def cpu():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks
validated = post("/validate", {"rules": suite_text})
rules, anomalies = validated["rules"], validated.get("anomalies") or []
# the same catalog properties Kiln sends for its embedded SQLite catalog, so the engine reuses the registered catalog
catalog = {"name": "kiln", "properties": {"type": "jdbc", "uri": f"jdbc:sqlite:{data}/catalog.db", "warehouse": f"file://{data}/warehouse",
           "jdbc.schema-version": "V1", "jdbc.busy_timeout": "30000", "jdbc.journal_mode": "WAL"}}
def suite_of(dqdl, anomaly_rules):
    text = "Rules = [\n    " + ",\n    ".join(dqdl) + "\n]\n"
    return text + ("Anomalies = [\n    " + ",\n    ".join(anomaly_rules) + "\n]\n" if anomaly_rules else "")
def machine_busy():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu "):
                v = [int(x) for x in line.split()[1:]]
                return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / ticks
def verify(text):
    before, busy_before, started = cpu(), machine_busy(), time.time()
    answer = post("/verify", {"catalog": catalog, "table": table, "snapshotId": snapshot, "rules": text, "saveMetricsOnPass": False})
    wall = time.time() - started
    engine_cpu = cpu() - before
    others = max(0.0, (machine_busy() - busy_before - engine_cpu) / wall)
    return {"wall": wall, "engine": answer["durationMillis"] / 1000, "cpu": engine_cpu, "others": others, "outcome": answer["outcome"]}
# The engine keeps getting faster over its first verifications (JIT), every new shape of suite is new to Spark's code
# generation, and the machine is noisy. So: the whole suite runs a few times first; every variant runs several times
# and the fastest run counts; and each "without" variant is paired with runs of the whole suite in between its own runs,
# so that "dropping it saves" compares runs taken at the same time.
def measure(text, times, paired=False):
    runs, base = [], []
    for _ in range(times):
        if paired:
            base.append(verify(suite_text))
        runs.append(verify(text))
    return runs, base
def report(what, rule, measured):
    runs, base = measured
    fastest = min(runs, key=lambda run: run["engine"])
    baseline = min((run["engine"] for run in base), default=None)
    others = sum(run["others"] for run in runs + base) / len(runs + base)
    all_runs = ",".join(f"{run['engine']:.2f}" for run in runs)
    print(f"{what}\t{rule}\t{fastest['wall']:.2f}\t{fastest['engine']:.2f}\t{fastest['cpu']:.1f}\t{fastest['outcome']}\t{all_runs}\t"
          f"{'' if baseline is None else f'{baseline:.2f}'}\t{others:.2f}", flush=True)
    paired = "" if baseline is None else f", whole suite meanwhile {baseline:.2f} s"
    print(f"bench:   {what:<8} {fastest['engine']:6.2f} s engine (best of {all_runs}{paired}), {fastest['cpu']:4.1f} CPU s, others {others:.2f} cores  {rule}",
          file=sys.stderr, flush=True)
print("what\trule\twall_s\tengine_s\tengine_cpu_s\toutcome\tall_engine_s\tpaired_suite_s\tothers_cores")
report("first", "(the whole suite)", measure(suite_text, 1))
report("warm-up", "(the whole suite)", measure(suite_text, 5))
report("suite", "(the whole suite)", measure(suite_text, repeats))
for i, rule in enumerate(rules):
    report("alone", rule, measure(suite_of([rule], []), repeats))
for k in range(2, len(rules) + 1):
    report("prefix", rules[k - 1], measure(suite_of(rules[:k], []), repeats))
for i, rule in enumerate(rules):
    if len(rules) > 1:
        report("without", rule, measure(suite_of(rules[:i] + rules[i + 1:], anomalies), repeats, paired=True))
if anomalies:
    report("without", "(the Anomalies block)", measure(suite_of(rules, []), repeats, paired=True))
report("suite", "(the whole suite)", measure(suite_text, repeats))
EOF
fi

engine_log_copy="$work/audit-engine-$stamp.log"
grep -v -e '^[[:space:]]*at ' -e '^ANTLR' "$engine_log" >"$engine_log_copy" || true
service_peak_kb="$(proc_kb "$service_pid" VmHWM)"
stop_service

# --- report ----------------------------------------------------------------------------------
python3 - "$results" "$rules_results" "$engine_log_copy" "$commit" "$settings" "$engine_settings" "$xmx" "$(nproc)" "$suite" "$goal" \
    "$input" "$input_bytes" "$rows" "$launched_at" "$service_started" "$ready_at" "$engine_started" "$engine_health_at" "$kiln_up_at" \
    "${service_peak_kb:-0}" <<'EOF'
import csv, os, re, statistics, sys
from datetime import datetime, timedelta
(results, rules_results, engine_log, commit, settings, engine_settings, xmx, cores, suite, goal, input_file, input_bytes, rows,
 launched, service_started, ready, engine_started, engine_health, kiln_up, service_peak_kb) = sys.argv[1:]
goal = float(goal)
runs = list(csv.DictReader(open(results), delimiter="\t"))
f = float

# --- cold start
service_started, engine_started = f(service_started), f(engine_started)
day = datetime.fromtimestamp(service_started).replace(hour=0, minute=0, second=0, microsecond=0)
def log_time(pattern):
    for line in open(engine_log, errors="replace"):
        if re.search(pattern, line):
            m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) ", line)
            if m:
                t = day + timedelta(hours=int(m.group(1)), minutes=int(m.group(2)), seconds=int(m.group(3)), milliseconds=int(m.group(4)))
                if t.timestamp() < service_started - 60:
                    t += timedelta(days=1)
                return t.timestamp(), line
    return None, None
listening, _ = log_time(r"CheckEngine: Listening on")
spark_up, spark_line = log_time(r"SparkRuntime: Spark .* started in \d+ ms")
warm, warm_line = log_time(r"Warm-up took \d+ ms")
def since(t, base):
    return f"{t - base:.1f}" if t else "?"
print()
print(f"Kiln write-audit-publish overhead; commit {commit}; {settings}; {engine_settings}; service java -Xmx{xmx}; {cores} cores; suite {suite}")
print(f"input: {input_file}, {rows} rows, {int(input_bytes)} bytes")
print()
print("Cold start (s after the service's JVM started; /proc start times, 0.1 s polling, engine log timestamps):")
print()
print("| service ready | engine process started | engine LISTENING | Spark up (engine log) | engine /health UP | Kiln says UP | engine warm-up done |")
print("|---|---|---|---|---|---|---|")
print(f"| {since(f(ready), service_started)} | {engine_started - service_started:.1f} | {since(listening, service_started)} | {since(spark_up, service_started)} "
      f"| {since(f(engine_health), service_started)} | {since(f(kiln_up), service_started)} | {since(warm, service_started)} |")
print()
print(f"engine process start -> LISTENING {since(listening, engine_started)} s, -> /health UP {since(f(engine_health), engine_started)} s, "
      f"-> warm-up done {since(warm, engine_started)} s; Kiln's UP lags the engine's by {f(kiln_up) - f(engine_health):.1f} s "
      "(Kiln health-checks the engine every kiln.checks.engine.health-interval, 5 s by default)")
if warm_line:
    print("engine log: " + spark_line.strip() + " / " + warm_line.strip())

# --- jobs
def ratio(a, b):
    return a / b if b else float("nan")
print()
print("| job | run | rows written | ingest s | audit s | audit / ingest | audit / total | engine verify s | service CPU s | engine CPU s | engine CPU / service CPU | engine GC s | others' cores | data files | engine RSS / HWM MB | service peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in runs:
    ingest, audit, total = f(r["ingest_s"]), f(r["audit_s"]), f(r["total_s"])
    verify = f"{int(r['verify_ms']) / 1000:.2f}" if r["verify_ms"] else "-"
    engine_cpu = f(r["engine_cpu_s"])
    print(f"| {r['kind']} | {r['run']} | {r['rows_written']} | {ingest:.2f} | {audit:.2f} | **{ratio(audit, ingest):.3f}** | {ratio(audit, total):.3f} | {verify} "
          f"| {r['service_cpu_s']} | {r['engine_cpu_s']} | {ratio(engine_cpu, f(r['service_cpu_s'])):.3f} | {r['engine_gc_s'] or '?'} | {r['others_cores']} | {r['data_files'] or '?'} "
          f"| {r['engine_rss_mb']} / {r['engine_hwm_mb']} | {r['service_hwm_mb']} |")
print()
for kind in ("suite", "kiln-rules-only", "suite-append", "suite-append-interleaved"):
    chosen = [r for r in runs if r["kind"] == kind]
    if not chosen:
        continue
    ratios = [ratio(f(r["audit_s"]), f(r["ingest_s"])) for r in chosen]
    totals = [ratio(f(r["audit_s"]), f(r["total_s"])) for r in chosen]
    cpu = [ratio(f(r["engine_cpu_s"]), f(r["service_cpu_s"])) for r in chosen]
    print(f"{kind}: audit / ingest median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}); "
          f"audit / total median {statistics.median(totals):.3f}; engine CPU / service CPU median {statistics.median(cpu):.3f}; "
          f"audit s median {statistics.median(f(r['audit_s']) for r in chosen):.2f}")
suite_runs = [r for r in runs if r["kind"] == "suite"]
if suite_runs:
    median = statistics.median(ratio(f(r["audit_s"]), f(r["ingest_s"])) for r in suite_runs)
    verdict = "MET" if median <= goal else "MISSED"
    print(f"goal: audit / ingest <= {goal} for a {rows}-row job with suite {suite}: {verdict} (median {median:.3f}, {median / goal:.1f}x the goal)")
    print(f"engine after the last {rows}-row audit: VmRSS {suite_runs[-1]['engine_rss_mb']} MB, VmHWM {suite_runs[-1]['engine_hwm_mb']} MB; "
          f"service peak RSS (VmHWM) {int(service_peak_kb) / 1024:.0f} MB")
print()
print("ingest = auditStartedAt - startedAt; audit = finishedAt - auditStartedAt (Kiln's rules + the suite on the engine + publish);")
print("engine verify s = the engine's own time for the verification (its log); CPU s = from submit to end, per process; engine GC s = jstat's GCT;")
print("others' cores = CPUs kept busy by other processes during the job; data files = files the staged snapshot added;")
print(f"suite-append = {rows} more rows (new ids, above the table's) appended to the last table with the suite, which had {rows} rows;")
print(f"suite-append-interleaved = {rows} rows whose ids sort between the table's, appended to the one before, which had {rows} rows.")

# --- rule by rule
if os.path.exists(rules_results) and os.path.getsize(rules_results) > 0:
    rules = list(csv.DictReader(open(rules_results), delimiter="\t"))
    suites = [r for r in rules if r["what"] == "suite"]
    base = min(f(r["engine_s"]) for r in suites)
    first = [r for r in rules if r["what"] == "first"]
    warm = [r for r in rules if r["what"] == "warm-up"]
    alone = {r["rule"]: r for r in rules if r["what"] == "alone"}
    prefix = {r["rule"]: r for r in rules if r["what"] == "prefix"}
    without = {r["rule"]: r for r in rules if r["what"] == "without"}
    names = list(alone)
    print()
    print(f"The suite rule by rule on the last snapshot, through the engine's POST /verify; engine seconds, the fastest of several runs. "
          f"Whole suite: the first call after the jobs {first[0]['engine_s'] if first else '?'} s, then {warm[0]['all_engine_s'] if warm else '?'} s, "
          f"then {' and '.join(r['all_engine_s'] for r in suites)} s (best {base:.2f} s, {min(f(r['engine_cpu_s']) for r in suites):.1f} CPU s). "
          "'Dropping it saves' = the fastest whole suite run between the variant's runs - the variant's fastest run:")
    print()
    print("| rule | alone s | alone CPU s | first k rules s | adding it costs s | suite without it s | whole suite meanwhile s | dropping it saves s | others' cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    previous = f(alone[names[0]]["engine_s"]) if names else 0.0
    def without_cells(w):
        if not w:
            return ["-", "-", "-"]
        return [w["engine_s"], w["paired_suite_s"], f"{f(w['paired_suite_s']) - f(w['engine_s']):+.2f}"]
    for i, name in enumerate(names):
        a, p, w = alone[name], prefix.get(name), without.get(name)
        cumulative = f(p["engine_s"]) if p else f(a["engine_s"])
        cells = [f"`{name}`", a["engine_s"], a["engine_cpu_s"], f"{cumulative:.2f}", f"{cumulative - previous:+.2f}" if i else "-"]
        cells += without_cells(w) + [w["others_cores"] if w else a["others_cores"]]
        previous = cumulative
        print("| " + " | ".join(cells) + " |")
    if "(the Anomalies block)" in without:
        w = without["(the Anomalies block)"]
        print("| (the Anomalies block) | - | - | - | - | " + " | ".join(without_cells(w)) + f" | {w['others_cores']} |")
print()
print(f"Raw results: {results}" + (f", {rules_results}" if os.path.exists(rules_results) else "") + f"; engine log: {engine_log}")
EOF
