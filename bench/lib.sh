# bench/lib.sh: what the bench scripts share. Source it after setting quiet_wait (seconds to wait for a quiet
# machine; 0: don't wait).
#   say MESSAGE...          prints "bench: MESSAGE" on stderr
#   fail MESSAGE...         says it and exits 1
#   machine_busy_ticks      clock ticks all CPUs spent busy so far (not idle, not waiting for I/O)
#   wait_for_quiet [LABEL]  waits until other processes keep less than 0.5 cores busy for 3 s, up to $quiet_wait s,
#                           then measures anyway with a warning
#   stop_service, stop_service_on_exit  (below)
#   free_port, size_bytes, now, proc_kb, process_ticks  (below)
#   build_if_missing ROOT JAR, commit_label ROOT, json FILE EXPRESSION  (below)
#   start_service LABEL DATA ROOTS XMX JAR [NAME=VALUE...]  (below)
#   require_spark_peer_tools  (below)
#   text_corpus ROOT WORK SIZE SEED, normalize_spec TABLE INPUT FILE  (below)
#   warm_up_job LABEL URL SPEC DIR TIMEOUT PID  (below)
#   measured_job LABEL SPEC TABLE DIR NAME  (below)

ticks_per_second="$(getconf CLK_TCK)"

say() {
    printf 'bench: %s\n' "$*" >&2
}

fail() {
    say "$*"
    exit 1
}

require_spark_peer_tools() { # fails unless java, javac, curl, python3, awk and timeout are on the PATH; warns unless java is 17 (Spark 3.5's)
    local tool java_major
    for tool in java javac curl python3 awk timeout; do
        command -v "$tool" >/dev/null 2>&1 || fail "needs $tool on the PATH"
    done
    java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')"
    [[ "$java_major" == 17 ]] || say "warning: java is version $java_major; Spark 3.5 wants Java 17 (it fails on 25)"
}

machine_busy_ticks() {
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

wait_for_quiet() {
    local prefix="${1:+[$1] }" deadline=$((SECONDS + ${quiet_wait:-0})) before after busy
    ((${quiet_wait:-0} > 0)) || return 0
    while true; do
        before="$(machine_busy_ticks)"
        sleep 3
        after="$(machine_busy_ticks)"
        busy="$(awk -v a="$before" -v b="$after" -v t="$ticks_per_second" 'BEGIN { printf "%.2f", (b - a) / t / 3 }')"
        if awk -v b="$busy" 'BEGIN { exit !(b < 0.5) }'; then
            say "${prefix}machine quiet (${busy} cores busy)"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            say "${prefix}warning: other processes still keep ${busy} cores busy after ${quiet_wait} s; measuring anyway (see 'others' in the tables)"
            return 0
        fi
        say "${prefix}other processes keep ${busy} cores busy; waiting for a quiet machine"
        sleep 10
    done
}

# A script that starts the service sets service_pid and calls stop_service_on_exit once: the service is then
# stopped (TERM, then KILL after 15 s) however the script ends. The check engine is the service's child and
# exits when its stdin closes.
service_pid=""

stop_service() {
    if [[ -n "$service_pid" ]] && kill -0 "$service_pid" 2>/dev/null; then
        kill "$service_pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$service_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -9 "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
    service_pid=""
}

stop_service_on_exit() {
    trap stop_service EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# --- shared by the scripts that start the service ----------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

size_bytes() { # 100M, 1G, 10k (decimal units) or a plain number -> bytes
    python3 -c '
import sys
v = sys.argv[1].upper().removesuffix("B")
units = {"K": 10**3, "M": 10**6, "G": 10**9}
print(int(v[:-1]) * units[v[-1]] if v[-1] in units else int(v))' "$1"
}

now() {
    if [[ -n "${EPOCHREALTIME:-}" ]]; then printf '%s\n' "$EPOCHREALTIME"; else date +%s.%N; fi
}

proc_kb() { # pid field -> value in kB, or empty
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

process_ticks() { # pid -> user + system clock ticks so far, or 0 when there is no such process
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

build_if_missing() { # root jar: builds the service when the jar is missing; warns when sources are newer than it
    if [[ ! -f "$2" ]]; then
        say "building Kiln (./mvnw -q -DskipTests package) in $1"
        (cd "$1" && ./mvnw -q -DskipTests package) || fail "the build failed"
    elif [[ -n "$(find "$1/src" "$1/pom.xml" -newer "$2" -print -quit 2>/dev/null)" ]]; then
        say "warning: sources are newer than $2; measuring the jar as it is (rebuild to measure the sources)"
    fi
}

commit_label() { # root -> the short commit, with +local-changes when src or pom.xml differ from it
    local commit
    commit="$(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [[ "$commit" != unknown ]] && [[ -n "$(git -C "$1" status --porcelain --untracked-files=no -- src pom.xml 2>/dev/null)" ]]; then
        commit="$commit+local-changes"
    fi
    printf '%s\n' "$commit"
}

json() { # file, Python expression on j (the parsed document) -> its value, empty for null
    python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); v = eval(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}

# Starts a fresh service from JAR with its data, its log (service.log) and its GC log (gc.log) in DATA, reading sources
# under ROOTS, with heap XMX and the environment given; sets service_pid and service_url. Fails when the service exits or
# is not ready within 120 s. Call stop_service_on_exit first.
start_service() {
    local label="${1:+[$1] }" data="$2" roots="$3" xmx="$4" jar="$5" port log="$2/service.log"
    shift 5
    port="$(free_port)"
    say "${label}starting a fresh service on port $port (data $data)"
    env "$@" KILN_DATA_DIR="$data" KILN_SOURCE_ROOTS="$roots" QUARKUS_HTTP_PORT="$port" \
        java "-Xmx$xmx" "-Xlog:gc:file=$data/gc.log" -jar "$jar" >"$log" 2>&1 &
    service_pid=$!
    service_url="http://127.0.0.1:$port"
    local deadline=$((SECONDS + 120))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$service_url/q/health/ready" || true)" == 200 ]]; do
        kill -0 "$service_pid" 2>/dev/null || { tail -n 30 "$log" >&2; fail "${label}the service exited during startup (log: $log)"; }
        ((SECONDS < deadline)) || { tail -n 30 "$log" >&2; fail "${label}the service was not ready after 120 s (log: $log)"; }
        sleep 0.25
    done
}

# state of a job document; jq when there is one (cheaper while polling)
if command -v jq >/dev/null 2>&1; then
    job_state() {
        jq -r '.state' "$1"
    }
else
    job_state() {
        python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["state"])' "$1"
    }
fi

# Submits the job spec in SPEC to the service at URL, keeping the answer in ANSWER; prints the job's id. Fails, naming
# LABEL, unless the service accepted the job.
submit_job() { # label url spec answer -> job id
    local status
    status="$(curl -sS -o "$4" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "@$3" "$2/v1/jobs")"
    [[ "$status" == 202 || "$status" == 200 || "$status" == 201 ]] || { cat "$4" >&2; fail "[$1] POST /v1/jobs answered $status"; }
    json "$4" 'j["id"]'
}

# Polls job ID at URL every KILN_BENCH_POLL_SECONDS (default 0.25) s until it ends, within TIMEOUT seconds, keeping its latest document in JOB; every
# 15 s says its state and the RSS of process PID. Sets job_final_state.
await_job() { # label url id job timeout pid
    local label="$1" url="$2" id="$3" job="$4" deadline=$((SECONDS + $5)) pid="$6" state="" rss last_report=$SECONDS
    while true; do
        curl -sS --max-time 5 -o "$job" "$url/v1/jobs/$id" || { sleep "${KILN_BENCH_POLL_SECONDS:-0.25}"; continue; }
        state="$(job_state "$job")"
        [[ "$state" == PUBLISHED || "$state" == FAILED || "$state" == REJECTED || "$state" == CANCELLED ]] && break
        if ((SECONDS - last_report >= 15)); then
            rss="$(proc_kb "$pid" VmRSS)"
            say "[$label]   Kiln job $state, RSS $((${rss:-0} / 1024)) MB"
            last_report=$SECONDS
        fi
        ((SECONDS < deadline)) || fail "[$label] Kiln job $id did not end within $5 s"
        sleep "${KILN_BENCH_POLL_SECONDS:-0.25}"
    done
    job_final_state="$state"
}

# The JSON-lines corpus of bench/GenerateCorpus.java at SIZE (decimal units) and SEED, made once in
# WORK/input-<size>/corpus.jsonl and reused while its key (size, seed, the generator's source) is the same; its records
# are counted once. It is read once more (not measured), so that every side measured after reads it from a warm page
# cache. Sets corpus_dir, corpus, corpus_records and corpus_bytes.
text_corpus() { # root work size seed
    local root="$1" size="$3" seed="$4" name bytes key
    name="$(tr '[:upper:]' '[:lower:]' <<<"$size")"
    corpus_dir="$2/input-$name"
    corpus="$corpus_dir/corpus.jsonl"
    bytes="$(size_bytes "$size")"
    key="$bytes $seed $(sha256sum "$root/bench/GenerateCorpus.java" | cut -c1-16)"
    if [[ -f "$corpus_dir/key" && "$(cat "$corpus_dir/key")" == "$key" && -f "$corpus" && -f "$corpus_dir/records" ]]; then
        say "[$size] corpus present: $corpus ($(cat "$corpus_dir/records") records)"
    else
        rm -rf "$corpus_dir"
        mkdir -p "$corpus_dir"
        say "[$size] generating $bytes bytes of JSONL into $corpus (seed $seed)"
        java "$root/bench/GenerateCorpus.java" "$corpus" "$bytes" "$seed" 2>"$corpus_dir/generate.log" ||
            { cat "$corpus_dir/generate.log" >&2; fail "[$size] corpus generation failed"; }
        grep '^generate-corpus:' "$corpus_dir/generate.log" >&2 || true
        wc -l <"$corpus" | tr -d ' ' >"$corpus_dir/records"
        printf '%s\n' "$key" >"$corpus_dir/key"
    fi
    corpus_records="$(cat "$corpus_dir/records")"
    corpus_bytes="$(stat -c %s "$corpus")"
    say "[$size] reading the corpus once (not measured) so that every side sees a warm page cache"
    cat "$corpus" >/dev/null
}

# Writes to FILE the job spec that ingests the JSON lines at INPUT into TABLE with steps [normalize].
normalize_spec() { # table input file
    python3 -c 'import json, sys; print(json.dumps({"table": sys.argv[1], "source": {"uri": "file://" + sys.argv[2], "format": "jsonl"}, "steps": [{"name": "normalize"}]}))' "$1" "$2" >"$3"
}

# Runs the job in SPEC to its end on the service at URL (process PID), not measured, keeping its documents in DIR
# (warm-submitted.json, warm.json): the job measured next then runs on a warm service (classes loaded, code compiled),
# as in a long-running one. Fails, naming LABEL, unless it was published within TIMEOUT seconds.
warm_up_job() { # label url spec dir timeout pid
    local id
    id="$(submit_job "$1" "$2" "$3" "$4/warm-submitted.json")"
    await_job "$1" "$2" "$id" "$4/warm.json" "$5" "$6"
    [[ "$job_final_state" == PUBLISHED ]] || fail "[$1] Kiln's warm-up job ended $job_final_state (job: $4/warm.json)"
    say "[$1] Kiln: warm-up job done; measuring the next job"
}

# Runs SPEC, its table "@TABLE@" named TABLE, as one job of the service started last ($service_url, $service_pid), its
# files in DIR as spec-NAME.json, submitted-NAME.json and job-NAME.json; fails unless the job is PUBLISHED. Sets
# job_cpu_ticks: the service's CPU clock ticks (user + system) from the submit to the job's end.
measured_job() { # label spec table dir name
    local before after id
    sed "s/@TABLE@/$3/" "$2" >"$4/spec-$5.json"
    before="$(process_ticks "$service_pid")"
    id="$(submit_job "$1" "$service_url" "$4/spec-$5.json" "$4/submitted-$5.json")"
    await_job "$1" "$service_url" "$id" "$4/job-$5.json" 3600 "$service_pid"
    after="$(process_ticks "$service_pid")"
    [[ "$job_final_state" == PUBLISHED ]] || fail "[$1] job $id ended $job_final_state (job: $4/job-$5.json)"
    job_cpu_ticks=$((after - before))
}
