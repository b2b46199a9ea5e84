"""Reading an export directory: ``manifest.json`` plus its shards, each checked by SHA-256, size and rows.

The manifest's ``files[].path`` names the shards (relative to the directory), whatever the layout:
``part-00000.parquet`` or the Hugging Face ``data/train-00000-of-00004.parquet``. Everything here is
standard library: row counts come from the files' own metadata (the Parquet footer, the Arrow IPC
record batch headers, the WebDataset sample keys, the JSON lines), read while the file is hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .client import snapshot_id
from .errors import DigestMismatch, RowCountMismatch, SnapshotMismatch, VerificationError

MANIFEST = "manifest.json"
_CHUNK = 1 << 20
# a Hugging Face shard name: <split>-00000-of-00004.<ext>
_HF_NAME = re.compile(r"^(?P<split>[A-Za-z0-9_.]+?)-\d{5}-of-\d{5}\.")
# the `datasets` builder that reads each export format
_BUILDERS = {"parquet": "parquet", "jsonl": "json", "arrow": "arrow", "webdataset": "webdataset"}


@dataclass(frozen=True)
class ExportFile:
    path: Path  # absolute
    relative: str  # as the manifest names it
    rows: int | None
    bytes: int | None
    sha256: str | None
    split: str


@dataclass(frozen=True)
class Export:
    """A checked export: its manifest and its files, in manifest order."""

    directory: Path
    format: str
    table: str | None
    snapshot_id: str | None
    rows: int | None
    files: tuple[ExportFile, ...]
    manifest: Mapping[str, Any] = field(compare=False, repr=False)

    @property
    def paths(self) -> list[str]:
        """The shard files, absolute, in manifest order."""
        return [str(f.path) for f in self.files]

    def data_files(self) -> dict[str, list[str]]:
        """Shard paths by split name (from the Hugging Face file names, else the manifest's split, else ``train``)."""
        splits: dict[str, list[str]] = {}
        for f in self.files:
            splits.setdefault(f.split, []).append(str(f.path))
        return splits

    def joined_sha256(self) -> str:
        """SHA-256 of the files joined in manifest order. For a ``jsonl`` export of a resolution's columns,
        filter and split this is its ``rows_sha256``: the same JSON lines the rows path streams."""
        digest = hashlib.sha256()
        for f in self.files:
            with open(f.path, "rb") as raw:
                while chunk := raw.read(_CHUNK):
                    digest.update(chunk)
        return digest.hexdigest()

    def check(self, resolution) -> "Export":
        """Raise unless this export holds the rows of ``resolution`` (a ``Resolution``): same snapshot, same row
        count, and for a ``jsonl`` export the same bytes (``rows_sha256``). Returns self."""
        if self.snapshot_id is not None and self.snapshot_id != resolution.snapshot_id:
            raise SnapshotMismatch(f"{self.directory} holds snapshot {self.snapshot_id}, not {resolution.snapshot_id}",
                                   expected=resolution.snapshot_id, actual=self.snapshot_id)
        if self.rows is not None and self.rows != resolution.rows:
            raise RowCountMismatch(f"{self.directory} holds {self.rows} rows, the resolution selects {resolution.rows}",
                                   expected=resolution.rows, actual=self.rows)
        if self.format == "jsonl":
            joined = self.joined_sha256()
            if joined != resolution.rows_sha256.lower():
                raise DigestMismatch(f"the JSON lines of {self.directory} have SHA-256 {joined}, the resolution's rows {resolution.rows_sha256}",
                                     expected=resolution.rows_sha256, actual=joined)
        return self

    def load_dataset_kwargs(self) -> dict[str, Any]:
        """Arguments for ``datasets.load_dataset(**export.load_dataset_kwargs())`` (no ``datasets`` needed here)."""
        try:
            builder = _BUILDERS[self.format]
        except KeyError:
            raise ValueError(f"no datasets builder for export format {self.format!r}") from None
        return {"path": builder, "data_files": self.data_files()}


def read_export(directory: str | os.PathLike, verify: bool = True) -> Export:
    """Read ``directory/manifest.json``; with ``verify`` check every listed file's SHA-256, size and rows.

    Files are streamed (1 MiB at a time), never held whole. Raises ``DigestMismatch`` or
    ``RowCountMismatch`` (``VerificationError`` for a size or a manifest that does not add up) and
    ``FileNotFoundError`` for a missing file.
    """
    root = Path(directory)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{root} has no {MANIFEST}: not an export, or an unfinished one (the manifest is written last)")
    manifest = json.loads(manifest_path.read_bytes())
    fmt = str(manifest.get("format") or "parquet").lower()
    manifest_split = (manifest.get("split") or {}).get("name") if isinstance(manifest.get("split"), dict) else None
    files = []
    for entry in manifest.get("files") or ():
        relative = entry["path"]
        path = _inside(root, relative)
        split = entry.get("split") or _split_of(relative) or manifest_split or "train"
        files.append(ExportFile(path, relative, _int(entry.get("rows")), _int(entry.get("bytes")), entry.get("sha256"), split))
    export = Export(root.resolve(), fmt, manifest.get("table"), snapshot_id(manifest.get("snapshotId")),
                    _int(manifest.get("rows")), tuple(files), manifest)
    if verify:
        verify_export(export)
    return export


def verify_export(export: Export) -> None:
    listed = sum(f.rows or 0 for f in export.files)
    if export.rows is not None and all(f.rows is not None for f in export.files) and listed != export.rows:
        raise RowCountMismatch(f"{export.directory}/{MANIFEST} says {export.rows} rows but its files add up to {listed}",
                               expected=export.rows, actual=listed)
    for f in export.files:
        try:
            sha256, size, rows = file_facts(f.path, export.format)
        except (VerificationError, tarfile.TarError, struct.error, IndexError, ValueError) as e:
            # a file that does not parse: a changed file is a digest mismatch, anything else says why
            sha256, size, rows = file_facts(f.path, "")
            if f.sha256 is None or sha256 == f.sha256.lower():
                raise VerificationError(f"{f.path} cannot be read as {export.format}: {e}") from e
        if f.sha256 is not None and sha256 != f.sha256.lower():
            raise DigestMismatch(f"{f.path} has SHA-256 {sha256}, the manifest says {f.sha256}", expected=f.sha256, actual=sha256)
        if f.bytes is not None and size != f.bytes:
            raise VerificationError(f"{f.path} has {size} bytes, the manifest says {f.bytes}", expected=f.bytes, actual=size)
        if f.rows is not None and rows is not None and rows != f.rows:
            raise RowCountMismatch(f"{f.path} holds {rows} rows, the manifest says {f.rows}", expected=f.rows, actual=rows)


def file_facts(path: str | os.PathLike, fmt: str) -> tuple[str, int, int | None]:
    """(sha256 hex, size in bytes, rows) of one export file, read once (the Parquet footer twice)."""
    with open(path, "rb") as raw:
        reader = _HashingReader(raw)
        if fmt == "jsonl":
            rows = _jsonl_rows(reader)
        elif fmt == "arrow":
            rows = _arrow_rows(reader)
        elif fmt == "webdataset":
            rows = _tar_samples(reader)
        else:
            rows = None
        reader.drain()
        if fmt == "parquet":
            rows = parquet_rows(raw)
    return reader.hexdigest(), reader.size, rows


class _HashingReader:
    def __init__(self, raw):
        self._raw = raw
        self._sha = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._sha.update(data)
        self.size += len(data)
        return data

    def read_exactly(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise VerificationError(f"{getattr(self._raw, 'name', 'file')} ends early (wanted {n} bytes, got {len(data)})")
        return data

    def skip(self, n: int) -> None:
        while n > 0:
            data = self.read(min(n, _CHUNK))
            if not data:
                raise VerificationError(f"{getattr(self._raw, 'name', 'file')} ends early")
            n -= len(data)

    def drain(self) -> None:
        while self.read(_CHUNK):
            pass

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _jsonl_rows(reader: _HashingReader) -> int:
    rows, last = 0, b"\n"
    while chunk := reader.read(_CHUNK):
        rows += chunk.count(b"\n")
        last = chunk[-1:]
    return rows + (0 if last == b"\n" else 1)


def _tar_samples(reader: _HashingReader) -> int:
    """WebDataset samples: consecutive members sharing a key (the path up to the first dot of the name)."""
    samples, previous = 0, None
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        for member in tar:
            if not member.isfile():
                continue
            head, _, name = member.name.rpartition("/")
            key = head + "/" + name.split(".", 1)[0]
            if key != previous:
                samples, previous = samples + 1, key
    return samples


# ---- Arrow IPC (file or stream): sum RecordBatch.length from the message headers -----------------------

def _arrow_rows(reader: _HashingReader) -> int:
    prefix = reader.read(8)
    if prefix[:6] == b"ARROW1":
        prefix = b""  # an IPC file: its stream follows the 8-byte magic; the footer after the end-of-stream is not read here

    def take(n: int) -> bytes:
        nonlocal prefix
        head, prefix = prefix[:n], prefix[n:]
        return head + reader.read_exactly(n - len(head)) if len(head) < n else head

    rows = 0
    while True:
        (length,) = struct.unpack("<i", take(4))
        if length == -1:  # the continuation marker; the metadata length follows
            (length,) = struct.unpack("<i", take(4))
        if length == 0:  # end of stream
            return rows
        metadata = take(length)
        header_type, header, body_length = _message(metadata)
        if header_type == 3:  # RecordBatch: its first field is the row count
            rows += _table_field(metadata, header, 0, "<q", 0)
        reader.skip(body_length)


def _table_field(buf: bytes, table: int, index: int, fmt: str, default):
    """Field ``index`` of the flatbuffer table at ``table`` (a scalar), or ``default`` when absent."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    vtable_size = struct.unpack_from("<H", buf, vtable)[0]
    slot = 4 + 2 * index
    if slot >= vtable_size:
        return default
    offset = struct.unpack_from("<H", buf, vtable + slot)[0]
    return default if offset == 0 else struct.unpack_from(fmt, buf, table + offset)[0]


def _message(buf: bytes) -> tuple[int, int, int]:
    """(header type, header table position, body length) of an Arrow IPC Message flatbuffer."""
    root = struct.unpack_from("<I", buf, 0)[0]
    header_type = _table_field(buf, root, 1, "<B", 0)
    body_length = _table_field(buf, root, 3, "<q", 0)
    vtable = root - struct.unpack_from("<i", buf, root)[0]
    header_slot = struct.unpack_from("<H", buf, vtable + 8)[0] if struct.unpack_from("<H", buf, vtable)[0] > 8 else 0
    header = 0
    if header_slot:
        position = root + header_slot
        header = position + struct.unpack_from("<I", buf, position)[0]
    return header_type, header, body_length


# ---- Parquet: FileMetaData.num_rows from the footer (Thrift compact protocol) -----------------------

def parquet_rows(raw) -> int:
    """The row count a Parquet file's footer records (``FileMetaData.num_rows``)."""
    raw.seek(-8, os.SEEK_END)
    tail = raw.read(8)
    if tail[4:] != b"PAR1":
        raise VerificationError(f"{getattr(raw, 'name', 'file')} is not a Parquet file (no PAR1 at its end)")
    (footer_length,) = struct.unpack("<i", tail[:4])
    raw.seek(-8 - footer_length, os.SEEK_END)
    footer = _Compact(raw.read(footer_length))
    field_id = 0
    while True:
        byte = footer.byte()
        kind = byte & 0x0F
        if kind == 0:
            raise VerificationError(f"{getattr(raw, 'name', 'file')}: the Parquet footer has no num_rows")
        delta = byte >> 4
        field_id = field_id + delta if delta else footer.zigzag()
        if field_id == 3 and kind == 6:
            return footer.zigzag()
        footer.skip(kind)


class _Compact:
    def __init__(self, buf: bytes):
        self.buf, self.pos = buf, 0

    def byte(self) -> int:
        value = self.buf[self.pos]
        self.pos += 1
        return value

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def skip(self, kind: int) -> None:
        if kind in (1, 2):  # booleans live in the field header
            return
        if kind == 3:
            self.pos += 1
        elif kind in (4, 5, 6):
            self.varint()
        elif kind == 7:
            self.pos += 8
        elif kind == 8:
            length = self.varint()  # not `self.pos += self.varint()`: that adds to the position before the varint
            self.pos += length
        elif kind in (9, 10):
            header = self.byte()
            size = header >> 4
            if size == 15:
                size = self.varint()
            element = header & 0x0F
            for _ in range(size):
                if element in (1, 2):
                    self.pos += 1  # in a list a boolean is a byte
                else:
                    self.skip(element)
        elif kind == 11:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.skip(types >> 4)
                    self.skip(types & 0x0F)
        elif kind == 12:
            while True:
                byte = self.byte()
                if byte & 0x0F == 0:
                    return
                if not byte >> 4:
                    self.zigzag()
                self.skip(byte & 0x0F)
        elif kind == 13:
            self.pos += 16
        else:
            raise VerificationError(f"unknown Thrift compact type {kind} in a Parquet footer")


# ---- helpers -------------------------------------------------------------------------------------------

def _inside(root: Path, relative: str) -> Path:
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise VerificationError(f"{root}/{MANIFEST} names a file outside the export: {relative!r}")
    return (root / candidate).resolve()


def _split_of(relative: str) -> str | None:
    match = _HF_NAME.match(Path(relative).name)
    return match.group("split") if match else None


def _int(value) -> int | None:
    return None if value is None else int(value)
