"""The client's own logic against a small stand-in server (standard library only, no Kiln needed)."""

import hashlib
import json
import os
import shutil
import socket
import sys
import unittest
from pathlib import Path
from unittest import mock

from kiln_client import (Client, DigestMismatch, KilnError, Resolution, RowCountMismatch, SnapshotMismatch,
                         VerificationError, read_export, snapshot_id, verify_coverage, CoverageError)
from kiln_client.export import parquet_rows

from .standin import BODY, ROWS, ROWS_PATH, SNAPSHOT, StandInServer, resolution_json


class OfflineTest(StandInServer, unittest.TestCase):
    # ---- ids -------------------------------------------------------------------------------------------

    def test_snapshot_ids_are_strings_whether_sent_as_numbers_or_strings(self):
        self.assertEqual(snapshot_id(9007199254740993), SNAPSHOT)
        self.assertEqual(snapshot_id(SNAPSHOT), SNAPSHOT)
        self.assertEqual(snapshot_id("-42"), "-42")
        self.assertIsNone(snapshot_id(None))
        for bad in (9.007199254740992e15, True, "12a", ""):
            with self.assertRaises(ValueError, msg=repr(bad)):
                snapshot_id(bad)
        self.assertEqual(Resolution.from_json(resolution_json(False)).snapshot_id, SNAPSHOT)
        self.assertEqual(Resolution.from_json(resolution_json(True)), Resolution.from_json(resolution_json(False)))
        from kiln_client.client import _normalize_ids
        self.assertEqual(_normalize_ids({"snapshotId": 9007199254740993, "parentId": "1", "counts": {"read": 3},
                                         "report": {"expiredSnapshotIds": [2, 3]}, "pin": {"snapshot": "p"}}),
                         {"snapshotId": SNAPSHOT, "parentId": "1", "counts": {"read": 3},
                          "report": {"expiredSnapshotIds": ["2", "3"]}, "pin": {"snapshot": "p"}})

    # ---- resolve ---------------------------------------------------------------------------------------

    def test_resolve_a_dict_sends_json_and_the_api_key(self):
        resolution = self.client.resolve({"table": "demo.docs", "pin": "p"})
        self.assertEqual(resolution.snapshot_id, SNAPSHOT)
        self.assertEqual(resolution.split.seed, 17)
        self.assertEqual(resolution.raw["rowsPath"], ROWS_PATH)
        method, path, headers, body = self.server.requests[-1]
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["Authorization"], "Bearer secret")
        self.assertEqual(json.loads(body), {"table": "demo.docs", "pin": "p"})

    def test_api_key_defaults_to_the_environment_and_is_not_sent_when_unset(self):
        with mock.patch.dict(os.environ, {"KILN_API_KEY": "from-env"}):
            self.assertEqual(Client(self.url).api_key, "from-env")
        with mock.patch.dict(os.environ, {}, clear=True):
            Client(self.url).resolve({"table": "demo.docs", "pin": "p"})
        self.assertNotIn("Authorization", self.server.requests[-1][2])

    def test_resolve_yaml_sends_the_text_as_it_is(self):
        config = self.tmp / "train.yaml"
        config.write_text("table: demo.docs\npin: p\nsnapshot_note: 9007199254740993\n")
        self.client.resolve(config)
        _, _, headers, body = self.server.requests[-1]
        self.assertEqual(headers["Content-Type"], "application/yaml")
        self.assertEqual(body, config.read_bytes())

    def test_resolve_yaml_falls_back_to_pyyaml_on_415(self):
        try:
            import yaml  # noqa: F401
        except ImportError:
            self.skipTest("PyYAML is not installed (the fallback's other branch is tested below)")
        self.server.refuse_yaml = True
        config = self.tmp / "train.yml"
        config.write_text("table: demo.docs\nsnapshot: 9007199254740993\ncolumns: [id, text]\n")
        self.assertEqual(self.client.resolve(config).snapshot_id, SNAPSHOT)
        _, _, headers, body = self.server.requests[-1]
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(json.loads(body), {"table": "demo.docs", "snapshot": 9007199254740993, "columns": ["id", "text"]})

    def test_resolve_yaml_without_pyyaml_on_415_says_what_to_do(self):
        self.server.refuse_yaml = True
        config = self.tmp / "train.yaml"
        config.write_text("table: demo.docs\npin: p\n")
        with mock.patch.dict(sys.modules, {"yaml": None}):
            with self.assertRaises(KilnError) as caught:
                self.client.resolve(config)
        self.assertEqual(caught.exception.status, 415)
        self.assertIn("pip install pyyaml", caught.exception.message)

    def test_resolve_refuses_other_file_types(self):
        config = self.tmp / "train.toml"
        config.write_text("x")
        with self.assertRaises(ValueError):
            self.client.resolve(config)

    # ---- errors ----------------------------------------------------------------------------------------

    def test_an_error_answer_becomes_a_kiln_error_with_code_and_violations(self):
        with self.assertRaises(KilnError) as caught:
            list(self.client.rows("/v1/tables/demo.docs/snapshots/nope/rows"))
        error = caught.exception
        self.assertEqual((error.status, error.code, error.message), (404, "PIN_NOT_FOUND", "no pin 'nope'"))
        self.assertEqual([(v.field, v.message) for v in error.violations], [("snapshot", "unknown")])
        self.assertIn("PIN_NOT_FOUND", str(error))

    def test_an_answer_without_the_error_shape_is_still_a_kiln_error(self):
        with self.assertRaises(KilnError) as caught:
            self.client._json("GET", "/elsewhere")
        self.assertEqual((caught.exception.status, caught.exception.code), (500, "HTTP_500"))
        self.assertIn("oops", caught.exception.message)

    def test_no_service_is_a_kiln_error_without_status(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(KilnError) as caught:
            Client(f"http://127.0.0.1:{port}", timeout=5).resolve({"table": "t", "pin": "p"})
        self.assertEqual((caught.exception.status, caught.exception.code), (None, "UNREACHABLE"))

    # ---- rows ------------------------------------------------------------------------------------------

    def test_rows_streams_every_line_and_checks_the_digest_and_count(self):
        resolution = Resolution.from_json(resolution_json())
        self.assertEqual(list(self.client.rows(resolution)), ROWS)
        self.assertEqual(self.server.requests[-1][1], ROWS_PATH)  # the rows path exactly as resolved

    def test_long_lines_blank_lines_and_a_last_line_without_newline_are_read(self):
        rows = [{"id": "long", "text": "x" * 300_000}, {"id": "b", "text": "\u2603"}, {"id": "c", "text": "end"}]
        lines = [json.dumps(r).encode() for r in rows]
        self.server.rows_body = body = lines[0] + b"\n\n" + lines[1] + b"\r\n" + lines[2]
        self.assertEqual(list(self.client.rows(ROWS_PATH, expected_sha256=hashlib.sha256(body).hexdigest())), rows)

    def test_rows_with_another_body_raise_digest_mismatch_at_the_end(self):
        self.server.rows_body = BODY.replace(b"text 3", b"text 8")
        resolution = Resolution.from_json(resolution_json())
        seen = []
        with self.assertRaises(DigestMismatch) as caught:
            for row in self.client.rows(resolution):
                seen.append(row)
        self.assertEqual(len(seen), len(ROWS))
        self.assertEqual(caught.exception.expected, resolution.rows_sha256)

    def test_rows_with_an_explicit_wrong_sha256_raise(self):
        with self.assertRaises(DigestMismatch):
            list(self.client.rows(ROWS_PATH, expected_sha256="0" * 64))
        self.assertEqual(list(self.client.rows(ROWS_PATH, expected_sha256=hashlib.sha256(BODY).hexdigest())), ROWS)

    def test_a_row_count_that_differs_from_the_resolution_raises(self):
        resolution = Resolution.from_json(resolution_json(rows=4))
        with self.assertRaises(RowCountMismatch):
            list(self.client.rows(resolution))

    def test_verify_false_reads_without_checks(self):
        self.server.rows_body = BODY[: BODY.index(b"\n") + 1]
        resolution = Resolution.from_json(resolution_json())
        self.assertEqual(list(self.client.rows(resolution, verify=False)), ROWS[:1])

    def test_another_served_snapshot_raises_snapshot_mismatch(self):
        self.server.served_snapshot = "1"
        with self.assertRaises(SnapshotMismatch):
            list(self.client.rows(Resolution.from_json(resolution_json())))

    def test_a_broken_stream_raises_instead_of_ending_quietly(self):
        self.server.break_stream = True
        with self.assertRaises(KilnError) as caught:
            list(self.client.rows(ROWS_PATH, verify=False))
        self.assertEqual(caught.exception.code, "STREAM_BROKEN")

    def test_shard_and_limit_are_added_to_the_rows_path_and_skip_the_digest(self):
        resolution = Resolution.from_json(resolution_json())
        self.server.rows_body = BODY[: BODY.index(b"\n") + 1]
        self.assertEqual(list(self.client.rows(resolution, 3, 8)), ROWS[:1])
        path = self.server.requests[-1][1]
        self.assertTrue(path.startswith(f"/v1/tables/demo.docs/snapshots/{SNAPSHOT}/rows?"), path)
        self.assertIn("filter=id%20%21%3D%20%27x%27", path)
        self.assertTrue(path.endswith("&shard=3&shards=8"), path)
        list(self.client.rows(resolution, limit=1))
        self.assertTrue(self.server.requests[-1][1].endswith("&limit=1"))
        with self.assertRaises(ValueError):
            self.client.rows(resolution, limit=1, expected_sha256="0" * 64)
        for bad in ((8, 8), (0, 0), (0, 65537), (None, 2), (1, None)):
            with self.assertRaises(ValueError, msg=bad):
                self.client.rows(resolution, *bad)

    # ---- coverage --------------------------------------------------------------------------------------

    def test_verify_coverage(self):
        resolution = Resolution.from_json(resolution_json())
        ids = [r["id"] for r in ROWS]
        self.assertEqual(verify_coverage(resolution, ids), 5)
        self.assertEqual(verify_coverage(resolution, reversed(ids), client=self.client), 5)
        with self.assertRaises(CoverageError):
            verify_coverage(resolution, ids[:4])
        with self.assertRaises(CoverageError):
            verify_coverage(resolution, ids[:4] + ids[:1])
        with self.assertRaises(CoverageError):
            verify_coverage(resolution, ids[:4] + ["elsewhere"], client=self.client)

    # ---- exports ---------------------------------------------------------------------------------------

    def _export(self, layout):
        root = self.tmp / "export"
        files = []
        lines = BODY.splitlines(keepends=True)
        for i, (start, end) in enumerate(((0, 3), (3, 5))):
            relative = (f"data/train-{i:05d}-of-00002.jsonl" if layout == "hf" else f"part-{i:05d}.jsonl")
            data = b"".join(lines[start:end])
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(data)
            files.append({"path": relative, "rows": end - start, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        manifest = {"table": "demo.docs", "snapshotId": SNAPSHOT, "format": "jsonl", "rows": 5, "files": files}
        (root / "manifest.json").write_text(json.dumps(manifest))
        return root

    def test_read_export_checks_files_and_gives_load_dataset_arguments(self):
        for layout in ("part", "hf"):
            export = read_export(self._export(layout))
            self.assertEqual(export.snapshot_id, SNAPSHOT)
            self.assertEqual(export.rows, 5)
            kwargs = export.load_dataset_kwargs()
            self.assertEqual(kwargs["path"], "json")
            self.assertEqual(kwargs["data_files"], {"train": export.paths})
            self.assertTrue(all(Path(p).is_file() for p in export.paths))
            export.check(Resolution.from_json(resolution_json()))  # the JSON lines joined are the rows' bytes
            shutil.rmtree(self.tmp / "export")

    def test_read_export_finds_a_changed_file(self):
        root = self._export("hf")
        shard = root / "data" / "train-00001-of-00002.jsonl"
        shard.write_bytes(shard.read_bytes().replace(b"text 4", b"text 9"))
        with self.assertRaises(DigestMismatch):
            read_export(root)
        read_export(root, verify=False)

    def test_read_export_counts_rows(self):
        root = self._export("part")
        manifest = json.loads((root / "manifest.json").read_text())
        manifest["files"][0]["rows"] = 2
        manifest["rows"] = 4
        (root / "manifest.json").write_text(json.dumps(manifest))
        with self.assertRaises(RowCountMismatch):
            read_export(root)

    def test_read_export_refuses_paths_outside_it(self):
        root = self._export("part")
        manifest = json.loads((root / "manifest.json").read_text())
        manifest["files"][0]["path"] = "../elsewhere.jsonl"
        (root / "manifest.json").write_text(json.dumps(manifest))
        with self.assertRaises(VerificationError):
            read_export(root)
        with self.assertRaises(FileNotFoundError):
            read_export(self.tmp)

    def test_parquet_row_count_from_a_footer(self):
        # FileMetaData{1: version=1, 2: schema=[SchemaElement{4: name="t"}], 3: num_rows=1234567890123}
        footer = bytes([0x15, 0x02, 0x19, 0x1C, 0x48, 0x01]) + b"t" + bytes([0x00, 0x16])
        n = 1234567890123 << 1
        while True:
            footer += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
            n >>= 7
            if not n:
                break
        footer += bytes([0x00])
        path = self.tmp / "x.parquet"
        path.write_bytes(b"PAR1" + footer + len(footer).to_bytes(4, "little") + b"PAR1")
        with open(path, "rb") as f:
            self.assertEqual(parquet_rows(f), 1234567890123)


if __name__ == "__main__":
    unittest.main()
