"""Against a running Kiln: ingest a small table, pin it, resolve a YAML config, read it every way.

    KILN_URL=http://127.0.0.1:8080          the service (without it these tests are skipped)
    KILN_TEST_SOURCE_DIR=/data/raw/tmp      a directory inside the service's kiln.source-roots, on this
                                            machine: the test writes its 300-row JSONL source there
    KILN_TEST_TABLE=pyclient.test           the table to create; a fresh suffix is added per run
    KILN_TEST_EXPORT_DIR=/var/lib/kiln/exports   optional: a directory inside kiln.export-roots, on this
                                            machine, for the export tests

With ``CI=true`` a missing prerequisite (torch, the source directory) fails the tests; otherwise they
are skipped, saying why. pyarrow is an optional extra: without it the Arrow tests are skipped, in CI too.
"""

import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.request
import uuid
import warnings
from pathlib import Path

from kiln_client import (Client, CoverageError, DigestMismatch, KilnError, SnapshotMismatch, read_export)

URL = os.environ.get("KILN_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
ROW_COUNT = 300
EXCLUDED = "row-0007"
RUN = uuid.uuid4().hex[:8]
state = {}


def need(condition_or_module, why, required_in_ci=True):
    """The module (or True) if present; else fail with CI=true (if required there), skip otherwise, saying why."""
    if isinstance(condition_or_module, str):
        try:
            return importlib.import_module(condition_or_module)
        except ImportError:
            found = None
    else:
        found = condition_or_module
    if not found:
        if IN_CI and required_in_ci:
            raise AssertionError(f"{why} (CI=true: this is a failure, not a skip)")
        print(f"\nSKIPPED: {why}", file=sys.stderr)
        raise unittest.SkipTest(why)
    return found


def setUpModule():
    if not URL:
        raise unittest.SkipTest("KILN_URL is not set: no Kiln service to test against")
    source_dir = os.environ.get("KILN_TEST_SOURCE_DIR")
    need(source_dir and Path(source_dir).is_dir(),
         "KILN_TEST_SOURCE_DIR must name a directory inside the service's kiln.source-roots (the test writes its source there)")
    client = Client(URL)
    table = f"{os.environ.get('KILN_TEST_TABLE') or 'pyclient.test'}_{RUN}"
    source = Path(source_dir) / f"pyclient-{RUN}.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for i in range(ROW_COUNT):
            text = f"Document {i}: caf\u00e9, na\u00efve \u2603, \"quoted\", tab\there, emoji \U0001F600, line\nbreak"
            f.write(json.dumps({"id": f"row-{i:04d}", "text": text}) + "\n")
    job = client.submit({"table": table, "source": {"uri": source.resolve().as_uri(), "format": "jsonl"}},
                        idempotency_key=f"pyclient-{RUN}")
    job = client.wait(job["id"], timeout=300)
    if job["state"] != "PUBLISHED":
        raise AssertionError(f"the test table's job ended {job['state']}: {job.get('error')}")
    pin = f"pyclient-{RUN}"
    client.pin(table, job["snapshotId"], pin, reason="kiln_client tests", owner="kiln_client")
    workdir = Path(tempfile.mkdtemp(prefix="kiln-client-service-"))
    config = workdir / "train.yaml"
    config.write_text(f"# what the run reads\ntable: {table}\npin: {pin}\ncolumns: [id, text]\n"
                      f"filter: \"id != '{EXCLUDED}'\"\nsplit: {{name: train, fraction: 0.9, seed: 17}}\n")
    state.update(client=client, table=table, pin=pin, job=job, config=config, workdir=workdir, source=source)


def tearDownModule():
    if "workdir" in state:
        shutil.rmtree(state["workdir"], ignore_errors=True)
    if "source" in state:
        state["source"].unlink(missing_ok=True)  # a later reproduce would see INPUTS_CHANGED; the test table is its own


def row_worker(row):
    """A DataLoader transform (module-level so that any start method can pickle it): the worker and the id."""
    from torch.utils.data import get_worker_info
    info = get_worker_info()
    return (info.id if info is not None else -1, row["id"])


class ServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = state["client"]
        cls.resolution = cls.client.resolve(state["config"])
        cls.all_rows = list(cls.client.rows(cls.resolution))  # checks rows_sha256 and the count
        cls.all_ids = [row["id"] for row in cls.all_rows]

    # ---- resolve ---------------------------------------------------------------------------------------

    def test_resolve_names_the_numeric_snapshot_and_the_selected_rows(self):
        r = self.resolution
        self.assertIsInstance(r.snapshot_id, str)
        self.assertEqual(r.snapshot_id, state["job"]["snapshotId"])
        self.assertEqual((r.table, r.pin, r.columns), (state["table"], state["pin"], ("id", "text")))
        self.assertEqual(r.snapshot_rows, ROW_COUNT)
        self.assertTrue(200 < r.rows < ROW_COUNT, r.rows)
        self.assertIn(f"/snapshots/{r.snapshot_id}/rows?", r.rows_path)  # the id, never the pin
        self.assertEqual(r.split.seed, 17)
        self.assertEqual(len(r.rows_sha256), 64)

    def test_the_same_config_as_a_dict_a_json_file_and_by_snapshot_id_resolves_the_same(self):
        config = {"table": state["table"], "pin": state["pin"], "columns": ["id", "text"], "filter": f"id != '{EXCLUDED}'",
                  "split": {"name": "train", "fraction": 0.9, "seed": 17}}
        self.assertEqual(self.client.resolve(config), self.resolution)
        path = state["workdir"] / "train.json"
        path.write_text(json.dumps(config))
        self.assertEqual(self.client.resolve(path), self.resolution)
        by_id = dict(config, snapshot=self.resolution.snapshot_id)
        del by_id["pin"]
        resolved = self.client.resolve(by_id)
        self.assertEqual((resolved.snapshot_id, resolved.rows_sha256, resolved.rows_path),
                         (self.resolution.snapshot_id, self.resolution.rows_sha256, self.resolution.rows_path))

    def test_a_pin_that_does_not_exist_is_pin_not_found(self):
        with self.assertRaises(KilnError) as caught:
            self.client.resolve({"table": state["table"], "pin": "no-such-pin", "columns": ["id"]})
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "PIN_NOT_FOUND"))
        with self.assertRaises(KilnError) as caught:
            list(self.client.rows(f"/v1/tables/{state['table']}/snapshots/no-such-pin/rows"))
        self.assertEqual(caught.exception.code, "PIN_NOT_FOUND")

    def test_a_column_that_does_not_exist_names_the_field(self):
        with self.assertRaises(KilnError) as caught:
            self.client.resolve({"table": state["table"], "pin": state["pin"], "columns": ["id", "nope"]})
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "INVALID_TRAINING_CONFIG"))
        self.assertIn("columns", [v.field for v in caught.exception.violations])

    # ---- rows ------------------------------------------------------------------------------------------

    def test_unsharded_rows_are_the_resolved_rows_and_their_bytes_hash_to_rows_sha256(self):
        self.assertEqual(len(self.all_rows), self.resolution.rows)
        self.assertEqual(len(set(self.all_ids)), len(self.all_ids))
        self.assertNotIn(EXCLUDED, self.all_ids)
        self.assertEqual(set(self.all_rows[0]), {"id", "text"})
        self.assertIn("\U0001F600", self.all_rows[0]["text"])
        with urllib.request.urlopen(self.client.url + self.resolution.rows_path) as response:  # independently of the client
            self.assertEqual(hashlib.sha256(response.read()).hexdigest(), self.resolution.rows_sha256)

    def test_shards_are_disjoint_and_cover_the_rows(self):
        parts = [[row["id"] for row in self.client.rows(self.resolution, shard, 3)] for shard in range(3)]
        self.assertTrue(all(parts), [len(p) for p in parts])
        joined = [i for part in parts for i in part]
        self.assertEqual(len(joined), len(set(joined)))
        self.assertEqual(sorted(joined), sorted(self.all_ids))

    def test_limit(self):
        self.assertEqual([r["id"] for r in self.client.rows(self.resolution, limit=5)], self.all_ids[:5])

    def test_a_wrong_expected_digest_raises_after_the_rows(self):
        with self.assertRaises(DigestMismatch):
            for _ in self.client.rows(self.resolution.rows_path, expected_sha256="0" * 64):
                pass

    def test_arrow_batches_hold_the_same_rows(self):
        need("pyarrow", "pyarrow is not installed (pip install 'kiln-client[arrow]')", required_in_ci=False)
        batches = list(self.client.batches(self.resolution))
        self.assertEqual(sum(b.num_rows for b in batches), self.resolution.rows)
        self.assertEqual([row for b in batches for row in b.to_pylist()], self.all_rows)
        sharded = [i for s in range(2) for b in self.client.batches(self.resolution, s, 2) for i in b.column("id").to_pylist()]
        self.assertEqual(sorted(sharded), sorted(self.all_ids))

    # ---- KilnDataset -----------------------------------------------------------------------------------

    @staticmethod
    def dataset_class():
        need("torch", "torch is not installed: run the tests with a Python that has it (Debian's /usr/bin/python3 here)")
        from kiln_client.torch import KilnDataset
        return KilnDataset

    def dataset(self, **kwargs):
        return self.dataset_class()(state["config"], url=URL, expected_snapshot_id=self.resolution.snapshot_id,
                           expected_rows_sha256=self.resolution.rows_sha256, **kwargs)

    def test_dataloader_workers_on_two_ranks_read_every_row_exactly_once(self):
        self.dataset_class()
        from torch.utils.data import DataLoader
        seen = []  # (rank, worker, id)
        warnings.filterwarnings("ignore", "This DataLoader will create", UserWarning)  # 4 workers on a small machine
        for rank in range(2):
            dataset = self.dataset(rank=rank, world_size=2, transform=row_worker)
            for worker, row_id in DataLoader(dataset, num_workers=4, batch_size=None):
                seen.append((rank, int(worker), row_id))
        ids = [row_id for _, _, row_id in seen]
        self.assertEqual(len(ids), self.resolution.rows)
        self.assertEqual(len(set(ids)), len(ids), "a row was read twice")
        self.assertEqual(sorted(ids), sorted(self.all_ids))
        self.assertEqual({(rank, worker) for rank, worker, _ in seen}, {(r, w) for r in range(2) for w in range(4)},
                         "every one of the 8 shards has rows")
        self.assertEqual(dataset.verify(ids, against_server=True), self.resolution.rows)
        with self.assertRaises(CoverageError):
            dataset.verify(ids[1:])
        with self.assertRaises(CoverageError):
            dataset.verify(ids + ids[:1])

    def test_a_single_reader_reads_every_row_in_order(self):
        dataset = self.dataset()
        self.assertEqual(dataset.shard(), (0, 1))
        self.assertEqual(list(dataset), self.all_rows)

    def test_rank_and_world_size_come_from_the_environment(self):
        from unittest import mock
        dataset = self.dataset()
        with mock.patch.dict(os.environ, {"RANK": "1", "WORLD_SIZE": "2"}):
            self.assertEqual(dataset.shard(), (1, 2))
            rows = list(dataset)
        self.assertEqual(rows, list(self.client.rows(self.resolution, 1, 2)))

    def test_a_recorded_digest_or_snapshot_that_differs_raises_at_construction(self):
        KilnDataset = self.dataset_class()
        with self.assertRaises(DigestMismatch):
            KilnDataset(state["config"], url=URL, expected_rows_sha256="0" * 64)
        with self.assertRaises(SnapshotMismatch):
            KilnDataset(state["config"], url=URL, expected_snapshot_id="1")
        # a Resolution works as well, without resolving again
        self.assertEqual(KilnDataset(self.resolution, url=URL, expected_snapshot_id=int(self.resolution.snapshot_id)).rows_sha256,
                         self.resolution.rows_sha256)

    def test_arrow_dataset_workers_cover_the_rows(self):
        self.dataset_class()
        need("pyarrow", "pyarrow is not installed (pip install 'kiln-client[arrow]')", required_in_ci=False)
        from torch.utils.data import DataLoader
        dataset = self.dataset(format="arrow")
        ids = [row["id"] for row in DataLoader(dataset, num_workers=2, batch_size=None)]
        self.assertEqual(sorted(ids), sorted(self.all_ids))

    # ---- exports ---------------------------------------------------------------------------------------

    def export(self, fmt):
        root = os.environ.get("KILN_TEST_EXPORT_DIR")
        if not root:
            self.skipTest("KILN_TEST_EXPORT_DIR is not set (a directory inside the service's kiln.export-roots)")
        directory = Path(root) / f"pyclient-{RUN}-{fmt}"
        self.addCleanup(shutil.rmtree, directory, True)
        r = self.resolution
        self.client.export(r.table, str(directory), pin=state["pin"], columns=list(r.columns), filter=r.filter,
                           split={"fraction": r.split.fraction, "seed": r.split.seed}, format=fmt, shard_rows=100)
        return directory

    def test_a_parquet_export_is_checked_and_read(self):
        directory = self.export("parquet")
        export = read_export(directory)
        export.check(self.resolution)
        self.assertEqual([f.rows for f in export.files], [100, 100, self.resolution.rows - 200])
        self.assertEqual(export.load_dataset_kwargs()["path"], "parquet")
        try:
            import pyarrow.parquet as pq
        except ImportError:
            pq = None
        if pq is not None:
            ids = [i for path in export.paths for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
            self.assertEqual(ids, self.all_ids)
        copy = state["workdir"] / "tampered"
        shutil.copytree(directory, copy)
        self.addCleanup(shutil.rmtree, copy, True)
        victim = Path(copy) / export.files[1].relative
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 1
        victim.write_bytes(bytes(data))
        with self.assertRaises(DigestMismatch):
            read_export(copy)

    def test_a_jsonl_export_holds_exactly_the_resolved_bytes(self):
        export = read_export(self.export("jsonl"))
        self.assertEqual(export.joined_sha256(), self.resolution.rows_sha256)
        export.check(self.resolution)


if __name__ == "__main__":
    unittest.main()
