"""A stand-in for Kiln's HTTP API (standard library), shared by the offline tests."""

import hashlib
import json
import shutil
import socket
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kiln_client import Client

SNAPSHOT = "9007199254740993"  # 2**53 + 1: a float cannot hold it
ROWS = [{"id": f"r{i}", "text": f"text {i} \u00e9"} for i in range(5)]
BODY = b"".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" for r in ROWS)
ROWS_PATH = f"/v1/tables/demo.docs/snapshots/{SNAPSHOT}/rows?columns=id%2Ctext&filter=id%20%21%3D%20%27x%27"


def resolution_json(snapshot_as_string=True, **changes):
    answer = {
        "table": "demo.docs", "snapshotId": SNAPSHOT if snapshot_as_string else int(SNAPSHOT), "pin": "p",
        "jobId": "job-1", "recipe": "r", "recipeSpec": "{}", "rows": len(ROWS),
        "rowsSha256": hashlib.sha256(BODY).hexdigest(), "snapshotRows": 9, "contentDigest": "c",
        "batchContentDigest": "b", "columns": ["id", "text"], "filter": "id != 'x'",
        "split": {"name": "train", "fraction": 0.9, "seed": 17}, "trinoSql": "SELECT 1", "rowsPath": ROWS_PATH,
    }
    answer.update(changes)
    return answer


class StandIn(BaseHTTPRequestHandler):
    """Answers by path; records every request in ``server.requests``."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(("POST", self.path, self.headers, self.rfile.read(length)))
        if self.path == "/v1/training/resolve":
            if self.headers.get("Content-Type") == "application/yaml" and self.server.refuse_yaml:
                return self._json(415, {"error": {"code": "INVALID_REQUEST", "message": "Unsupported Media Type"}})
            return self._json(200, resolution_json(self.server.string_ids))
        self._json(404, {"error": {"code": "RESOURCE_NOT_FOUND", "message": "no such path"}})

    def do_GET(self):
        self.server.requests.append(("GET", self.path, self.headers, b""))
        if self.path.startswith("/v1/tables/demo.docs/snapshots/nope/"):
            return self._json(404, {"error": {"code": "PIN_NOT_FOUND", "message": "no pin 'nope'",
                                              "violations": [{"field": "snapshot", "message": "unknown"}]}})
        if self.path.startswith("/v1/tables/demo.docs/snapshots/"):
            body = self.server.rows_body
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Kiln-Snapshot-Id", self.server.served_snapshot)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for start in range(0, len(body), 7):  # small chunks: lines cross chunk borders
                    piece = body[start:start + 7]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading (a snapshot mismatch)
                return
            if self.server.break_stream:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"0\r\n\r\n")
            return
        self._json(500, None, raw=b"<html>oops</html>")

    def _json(self, status, payload, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StandInServer:
    """A mixin for a TestCase: the stand-in runs for the class; ``self.client`` talks to it."""

    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        s = self.server
        s.requests, s.refuse_yaml, s.string_ids, s.break_stream = [], False, True, False
        s.rows_body, s.served_snapshot = BODY, SNAPSHOT
        self.client = Client(self.url, api_key="secret")
        self.tmp = Path(tempfile.mkdtemp(prefix="kiln-client-test-"))
        self.addCleanup(shutil.rmtree, self.tmp)

