#!/usr/bin/env python3
"""Kiln's own fault-injection run (bench/chaos.sh starts it; see bench/README.md).

Rounds of jobs on several tables (exact and near dedup, checks on the check engine, rejects), each
round with one kill -9 of the service or of the check engine, at a random moment or aimed at a job
phase. After every round it verifies the invariants over everything accepted so far, then pins every
table and runs maintenance. Last, 16 jobs are submitted at once to one dedup table. Standard library
only; prints a markdown summary and writes results.json.
"""

import argparse
import concurrent.futures
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

FINAL = {"PUBLISHED", "REJECTED", "FAILED", "CANCELLED"}
TABLES = {
    # table: steps, checks suite
    "chaos.dedup": ([{"name": "normalize"}, {"name": "dedup-exact"}], "text-default"),
    "chaos.near": ([{"name": "normalize"}, {"name": "dedup-near"}], None),
    "chaos.plain": ([{"name": "normalize"}], "text-default"),
}
RACE = {"chaos.race": ([{"name": "normalize"}, {"name": "dedup-exact"}], "text-default")}
INJECTIONS = ["service-random", "service-running", "service-auditing", "engine-auditing", "engine-random"]


def say(message):
    print(f"chaos: {message}", file=sys.stderr, flush=True)


class Kiln:
    def __init__(self, jar, data, roots, port, log, workers):
        self.jar, self.data, self.roots, self.port, self.log, self.workers = jar, data, roots, port, log, workers
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        env = dict(os.environ, KILN_DATA_DIR=self.data, KILN_SOURCE_ROOTS=self.roots, QUARKUS_HTTP_PORT=str(self.port),
                   KILN_WORKERS=str(self.workers))
        log = open(self.log, "ab")
        self.process = subprocess.Popen(["java", "-Xmx768m", "-jar", self.jar], env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the service exited during start (log {self.log})")
            try:
                if self.request("GET", "/q/health/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"the service was not ready after 180 s (log {self.log})")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """kill -9 of the service; its check engine, a child, is killed too (it would exit when its stdin closes)."""
        engine = self.engine_pid()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        if engine:
            try:
                os.kill(engine, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def engine_pid(self):
        if not self.alive():
            return None
        found = subprocess.run(["pgrep", "-P", str(self.process.pid), "-f", "kiln-check-engine"], capture_output=True, text=True).stdout.split()
        return int(found[0]) if found else None

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(self, method, path, body=None, headers=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=dict(headers or {}, **({"Content-Type": "application/json"} if data else {})))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method, path, body=None, headers=None):
        status, payload = self.request(method, path, body, headers)
        return status, (json.loads(payload) if payload and payload[:1] in (b"{", b"[") else payload)


def write_input(path, job_number, rng, shared_pool, lines):
    """JSONL with unique ids: a third of the texts from a pool shared by all jobs (duplicates across jobs and
    within one), a third near-copies of pool texts, a third unique; about 2% malformed lines (rejects)."""
    with open(path, "w") as out:
        for i in range(lines):
            if rng.random() < 0.02:
                out.write('{"id": "broken-%d-%d", "text": \n' % (job_number, i))
                continue
            kind = rng.random()
            if kind < 1 / 3:
                text = rng.choice(shared_pool)
            elif kind < 2 / 3:
                text = rng.choice(shared_pool) + f" (edited once by job {job_number})"
            else:
                text = f"job {job_number} line {i}: " + " ".join(rng.choice(WORDS) for _ in range(30))
            out.write(json.dumps({"id": f"j{job_number}-{i}", "text": text}) + "\n")


WORDS = ("lakehouse ingestion training data snapshot audit branch iceberg parquet recipe lineage reject engine spark "
         "deequ rows table catalog publish pin export digest token chunk normalize dedup shingle minhash").split()


class Chaos:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.inputs = os.path.join(args.dir, "inputs")
        os.makedirs(self.inputs, exist_ok=True)
        self.kiln = Kiln(args.jar, os.path.join(args.dir, "data"), self.inputs, args.port, os.path.join(args.dir, "service.log"), args.workers)
        self.pool = [" ".join(self.rng.choice(WORDS) for _ in range(40)) + f" #{n}" for n in range(300)]
        self.jobs = {}  # id -> {"table", "key", "spec", "round"}
        self.job_count = 0
        self.submit_retries = 0
        self.pins = {}  # (table, pin) -> rows it held when made
        self.injections = {kind: 0 for kind in INJECTIONS}
        self.violations = {name: 0 for name in ("lost", "stuck", "failed", "duplicate-publish", "half-publish", "rows-on-main",
                                                "rejects-per-job", "duplicate-text", "unreadable-pin", "idempotency")}
        self.details = []

    def violation(self, name, detail):
        self.violations[name] += 1
        self.details.append(f"{name}: {detail}")
        say(f"VIOLATION {name}: {detail}")

    def submit(self, table, round_number):
        number = self.job_count
        self.job_count += 1
        path = os.path.join(self.inputs, f"job-{number}.jsonl")
        write_input(path, number, self.rng, self.pool, self.rng.randint(150, 250))
        steps, checks = TABLES[table]
        spec = {"table": table, "source": {"uri": "file://" + path, "format": "jsonl"}, "steps": steps, "maxRejectedRate": 0.9}
        if checks:
            spec["checks"] = checks
        key = f"chaos-{self.args.seed}-{number}"
        job_id = self.post_job(spec, key)
        self.jobs[job_id] = {"table": table, "key": key, "spec": spec, "round": round_number}
        return job_id

    def post_job(self, spec, key):
        """Submits with the key; a 503 (the check engine restarting: a suite cannot be validated now) is retried with
        the same key for up to 3 minutes, as a client would."""
        deadline = time.time() + 180
        while True:
            status, job = self.kiln.json("POST", "/v1/jobs", spec, {"Idempotency-Key": key})
            if status != 503 or time.time() > deadline:
                break
            self.submit_retries += 1
            time.sleep(2)
        if status != 202:
            raise SystemExit(f"submit refused: {status} {job}")
        return job["id"]

    def state(self, job_id):
        status, job = self.kiln.json("GET", "/v1/jobs/" + job_id)
        return job if status == 200 else None

    def wait_for_state(self, ids, states, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for job_id in ids:
                job = self.state(job_id)
                if job and job["state"] in states:
                    return True
            time.sleep(0.05)
        return False

    def inject(self, kind, ids):
        self.injections[kind] += 1
        if kind == "service-random":
            time.sleep(self.rng.uniform(0, 4))
        elif kind == "service-running":
            self.wait_for_state(ids, {"RUNNING"}, 30)
            time.sleep(self.rng.uniform(0, 0.5))
        elif kind in ("service-auditing", "engine-auditing"):
            self.wait_for_state(ids, {"AUDITING"}, 60)
            time.sleep(self.rng.uniform(0, 0.3))
        elif kind == "engine-random":
            time.sleep(self.rng.uniform(0, 4))
        if kind.startswith("service"):
            self.kiln.kill()
            self.kiln.start()
            # a client that saw its request fail retries it with the same key: it must get the same job back
            for job_id in ids:
                job = self.jobs[job_id]
                status, again = self.kiln.json("POST", "/v1/jobs", job["spec"], {"Idempotency-Key": job["key"]})
                if status not in (200, 202) or again.get("id") != job_id:
                    self.violation("idempotency", f"retry of {job_id} gave {status} {again}")
        else:
            engine = self.kiln.engine_pid()
            if engine:
                os.kill(engine, signal.SIGKILL)
            else:
                say("no engine process to kill (it is restarting)")

    def await_final(self, ids, timeout):
        deadline = time.time() + timeout
        pending = set(ids)
        while pending and time.time() < deadline:
            for job_id in list(pending):
                job = self.state(job_id)
                if job is None:
                    continue
                if job["state"] in FINAL:
                    pending.discard(job_id)
            time.sleep(0.5)
        return pending

    def verify(self, fresh):
        """The invariants: no job lost, and the table totals, over every job accepted so far; per job (published once,
        its rejects with it), over the {@code fresh} jobs, whose snapshots maintenance has not expired yet."""
        states = {}
        for job_id in self.jobs:
            job = self.state(job_id)
            if job is None:
                self.violation("lost", f"{job_id} is gone")
                continue
            states[job_id] = job
        for table in list(TABLES) + list(RACE):
            mine = {job_id: job for job_id, job in states.items() if self.jobs[job_id]["table"] == table}
            if not mine:
                continue
            status, snapshots = self.kiln.json("GET", f"/v1/tables/{table}/snapshots")
            published_on_main = {}
            for snapshot in snapshots["snapshots"]:
                summary = snapshot["summary"]
                if snapshot["onMain"] and summary.get("kiln.checks.outcome") == "PASSED":
                    published_on_main.setdefault(summary.get("kiln.job-id"), []).append(snapshot["snapshotId"])
            for job_id, job in mine.items():
                if job_id not in fresh:
                    continue
                on_main = published_on_main.get(job_id, [])
                if len(on_main) > 1:
                    self.violation("duplicate-publish", f"{job_id} published {len(on_main)} times on {table}")
                if job["state"] == "PUBLISHED" and (len(on_main) != 1 or on_main[0] != job["snapshotId"]):
                    self.violation("half-publish", f"{job_id} PUBLISHED as {job.get('snapshotId')} but main holds {on_main}")
                if job["state"] != "PUBLISHED" and on_main:
                    self.violation("half-publish", f"{job_id} is {job['state']} but its rows are on main of {table}")
            head = next((s for s in snapshots["snapshots"] if "main" in s["refs"]), None)
            rows = int(head["summary"].get("total-records", "0")) if head else 0
            expected = sum(job["counts"]["written"] for job in mine.values() if job["state"] == "PUBLISHED")
            if rows != expected:
                self.violation("rows-on-main", f"{table} holds {rows} rows, its published jobs wrote {expected}")
            status, rejects = self.kiln.json("GET", f"/v1/tables/{table}__rejects/snapshots")
            by_job = {}
            for snapshot in rejects["snapshots"] if status == 200 else []:
                if snapshot["onMain"] and snapshot["summary"].get("kiln.job-id"):
                    by_job[snapshot["summary"]["kiln.job-id"]] = by_job.get(snapshot["summary"]["kiln.job-id"], 0) + int(
                        snapshot["summary"].get("added-records", "0"))
            for job_id, job in mine.items():
                expected_rejects = job["counts"]["rejected"] if job["state"] == "PUBLISHED" else 0
                if job_id in fresh and by_job.get(job_id, 0) != expected_rejects:
                    self.violation("rejects-per-job", f"{job_id} ({job['state']}) counted {job['counts']['rejected']} rejects, main of "
                                   f"{table}__rejects holds {by_job.get(job_id, 0)}")
            rejects_head = next((s for s in rejects["snapshots"] if "main" in s["refs"]), None) if status == 200 else None
            rejects_rows = int(rejects_head["summary"].get("total-records", "0")) if rejects_head else 0
            expected = sum(job["counts"]["rejected"] for job in mine.values() if job["state"] == "PUBLISHED")
            if rejects_rows != expected:
                self.violation("rejects-per-job", f"{table}__rejects holds {rejects_rows} rows, its published jobs rejected {expected}")
            if table in ("chaos.dedup", "chaos.race") and head:
                status, body = self.kiln.request("GET", f"/v1/tables/{table}/snapshots/{head['snapshotId']}/rows?columns=text", timeout=300)
                texts = [json.loads(line)["text"] for line in body.decode().splitlines() if line.strip()]
                if len(texts) != len(set(texts)):
                    self.violation("duplicate-text", f"{table} holds {len(texts) - len(set(texts))} duplicate texts")
        for (table, pin), rows in self.pins.items():
            status, body = self.kiln.request("GET", f"/v1/tables/{table}/snapshots/{pin}/rows?columns=id", timeout=300)
            count = len([line for line in body.decode().splitlines() if line.strip()]) if status == 200 else -1
            if count != rows:
                self.violation("unreadable-pin", f"pin {pin} of {table}: {status}, {count} rows instead of {rows}")
        return states

    def pin_and_maintain(self, round_number):
        for table in TABLES:
            status, described = self.kiln.json("GET", f"/v1/tables/{table}")
            if status != 200 or described.get("currentSnapshotId") is None:
                continue
            snapshot = described["currentSnapshotId"]
            status, detail = self.kiln.json("GET", f"/v1/tables/{table}/snapshots/{snapshot}")
            pin = f"chaos-r{round_number}"
            status, _ = self.kiln.json("POST", f"/v1/tables/{table}/pins",
                                       {"name": pin, "snapshotId": snapshot, "reason": "chaos run", "owner": "bench/chaos.sh"})
            if status == 201:
                self.pins[(table, pin)] = int(detail["summary"].get("total-records", "0"))
            # expire every unpinned old snapshot and delete orphans at once: nothing is in flight now
            self.kiln.json("POST", f"/v1/tables/{table}/maintenance", {"maxSnapshotAgeMs": 0, "orphanGraceMs": 0})
            self.kiln.json("POST", f"/v1/tables/{table}__rejects/maintenance", {"maxSnapshotAgeMs": 0, "orphanGraceMs": 0})

    def rounds(self):
        for round_number in range(1, self.args.rounds + 1):
            if not self.kiln.alive():
                self.kiln.start()
            ids = [self.submit(self.rng.choice(list(TABLES)), round_number) for _ in range(self.args.jobs_per_round)]
            kind = INJECTIONS[(round_number - 1) % len(INJECTIONS)] if self.args.aimed else self.rng.choice(INJECTIONS)
            self.inject(kind, ids)
            stuck = self.await_final(ids, self.args.job_timeout)
            for job_id in stuck:
                self.violation("stuck", f"{job_id} not final after {self.args.job_timeout} s")
            states = self.verify(set(ids))
            for job_id in ids:
                job = states.get(job_id)
                if job and job["state"] == "FAILED":
                    self.violation("failed", f"{job_id}: {job.get('error')}")
            say(f"round {round_number}: {kind}; " + ", ".join(f"{job_id[:12]} {states[job_id]['state']}" for job_id in ids if job_id in states))
            self.pin_and_maintain(round_number)

    def concurrent_dedup(self, jobs):
        """16 jobs at once to one dedup table: all must publish, with exact counts."""
        paths = []
        texts = []
        for number in range(jobs):
            path = os.path.join(self.inputs, f"race-{number}.jsonl")
            lines = [{"id": f"race{number}-s{i}", "text": f"a line every racer has, number {i}"} for i in range(50)]
            lines += [{"id": f"race{number}-u{i}", "text": f"only racer {number} has line {i}"} for i in range(50)]
            with open(path, "w") as out:
                out.writelines(json.dumps(line) + "\n" for line in lines)
            texts += [line["text"] for line in lines]
            paths.append(path)
        spec = lambda path: {"table": "chaos.race", "source": {"uri": "file://" + path, "format": "jsonl"},
                             "steps": [{"name": "normalize"}, {"name": "dedup-exact"}], "checks": "text-default", "maxRejectedRate": 1.0}
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            ids = list(pool.map(lambda path: self.post_job(spec(path), f"chaos-{self.args.seed}-race-{os.path.basename(path)}"), paths))
        for job_id, path in zip(ids, paths):
            self.jobs[job_id] = {"table": "chaos.race", "key": None, "spec": spec(path), "round": 0}
        self.await_final(ids, 600)
        states = [self.state(job_id) for job_id in ids]
        self.verify(set(ids))
        published = sum(1 for job in states if job["state"] == "PUBLISHED")
        written = sum(job["counts"]["written"] for job in states)
        rejected = sum(job["counts"]["rejected"] for job in states)
        status, described = self.kiln.json("GET", "/v1/tables/chaos.race/snapshots")
        head = next(s for s in described["snapshots"] if "main" in s["refs"])
        return {"jobs": jobs, "published": published, "states": sorted({job["state"] for job in states}), "written": written,
                "distinct texts": len(set(texts)), "rejected": rejected, "duplicates submitted": len(texts) - len(set(texts)),
                "rows on main": int(head["summary"]["total-records"])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--jobs-per-round", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--job-timeout", type=int, default=300)
    parser.add_argument("--aimed", action="store_true", help="cycle through the injection kinds instead of drawing them")
    args = parser.parse_args()
    chaos = Chaos(args)
    started = time.time()
    try:
        chaos.kiln.start()
        chaos.rounds()
        race = chaos.concurrent_dedup(16)
        chaos.verify(set())
        final_states = {}
        for job_id in chaos.jobs:
            state = chaos.state(job_id)["state"]
            final_states[state] = final_states.get(state, 0) + 1
    finally:
        chaos.kiln.stop()
    result = {"rounds": args.rounds, "jobs": len(chaos.jobs), "final states": final_states, "injections": chaos.injections, "total injections": sum(chaos.injections.values()),
              "submissions retried after a 503": chaos.submit_retries,
              "violations": chaos.violations, "details": chaos.details, "pins": len(chaos.pins), "concurrent dedup": race,
              "minutes": round((time.time() - started) / 60, 1)}
    with open(os.path.join(args.dir, "results.json"), "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2))
    return 0 if sum(chaos.violations.values()) == 0 and race["published"] == race["jobs"] else 1


if __name__ == "__main__":
    sys.exit(main())
