"""``KilnDataset``: a PyTorch ``IterableDataset`` over exactly the rows a training config pins.

Only this module imports torch (``pip install 'kiln-client[torch]'``)::

    from torch.utils.data import DataLoader
    from kiln_client.torch import KilnDataset

    dataset = KilnDataset("train.yaml", url="http://kiln:8080",
                          expected_snapshot_id="5409525145113053029",      # what the run recorded
                          expected_rows_sha256="c25e17...")
    for row in DataLoader(dataset, num_workers=4, batch_size=None):
        ...

Every (rank, worker) pair reads its own shard of the resolution's ``rows_path`` (which holds the numeric
snapshot id, so a pin that moves cannot change the data mid-run): shard ``rank * num_workers + worker``
of ``world_size * num_workers``. The shards are disjoint and cover every selected row, provided every
rank uses the same ``num_workers``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator, Mapping

try:
    import torch  # noqa: F401
    import torch.distributed as _dist
    from torch.utils.data import IterableDataset, get_worker_info
except ImportError as _e:  # pragma: no cover - depends on the environment
    raise ImportError("kiln_client.torch needs PyTorch: pip install 'kiln-client[torch]' (or pip install torch)") from _e

from .client import MAX_SHARDS, Client, Resolution
from .coverage import verify_coverage

__all__ = ["KilnDataset", "shard_of"]


def shard_of(rank: int, world_size: int, worker_id: int, num_workers: int) -> tuple[int, int]:
    """(shard, shards) that worker ``worker_id`` of ``num_workers`` on rank ``rank`` of ``world_size`` reads."""
    if not 0 <= rank < world_size:
        raise ValueError(f"rank must be 0 to {world_size - 1}, was {rank}")
    if not 0 <= worker_id < num_workers:
        raise ValueError(f"worker id must be 0 to {num_workers - 1}, was {worker_id}")
    shards = world_size * num_workers
    if shards > MAX_SHARDS:
        raise ValueError(f"world_size * num_workers = {shards} is more than the {MAX_SHARDS} shards Kiln serves")
    return rank * num_workers + worker_id, shards


def _distributed() -> tuple[int, int] | None:
    try:
        if _dist.is_available() and _dist.is_initialized():
            return _dist.get_rank(), _dist.get_world_size()
    except (RuntimeError, ValueError):
        pass
    return None


def _environment() -> tuple[int, int] | None:
    rank, world = os.environ.get("RANK"), os.environ.get("WORLD_SIZE")
    if rank is None and world is None:
        return None
    return int(rank or 0), int(world or 1)


class KilnDataset(IterableDataset):
    """The rows of one resolved training config, split across DataLoader workers and distributed ranks.

    ``source``: a ``Resolution``, or a training config (a dict, or a .json/.yaml/.yml path) that is
    resolved once, here, with ``Client(url, api_key, timeout)`` (or ``client``). With
    ``expected_snapshot_id`` / ``expected_rows_sha256`` (the values a run recorded) the resolution must
    match them, else ``SnapshotMismatch`` / ``DigestMismatch`` now, before any training.

    ``rank``/``world_size``: explicit, else ``torch.distributed`` when initialized (here or when
    iterating), else the ``RANK``/``WORLD_SIZE`` environment, else 0 of 1. ``transform`` is applied to
    each row (or each batch with ``batches=True``). ``format="arrow"`` reads Arrow record batches
    (needs pyarrow) and yields their rows as dicts, or the ``pyarrow.RecordBatch`` es with
    ``batches=True``. A reader that is alone (one rank, no worker processes) reads the whole
    selection and checks ``rows_sha256`` (JSON lines) or the row count (Arrow) at the end.
    """

    def __init__(self, source: Resolution | Mapping[str, Any] | str | os.PathLike, url: str | None = None, *,
                 client: Client | None = None, api_key: str | None = None, timeout: float = 60,
                 expected_snapshot_id: Any = None, expected_rows_sha256: str | None = None,
                 rank: int | None = None, world_size: int | None = None,
                 transform: Callable[[Any], Any] | None = None, format: str = "jsonl", batches: bool = False):
        super().__init__()
        if format not in ("jsonl", "arrow"):
            raise ValueError(f"format must be 'jsonl' or 'arrow', was {format!r}")
        if batches and format != "arrow":
            raise ValueError("batches=True yields Arrow record batches: it needs format='arrow'")
        if format == "arrow":
            from .client import _pyarrow_ipc
            _pyarrow_ipc()  # a clear error now rather than in a worker
        if (rank is None) != (world_size is None):
            raise ValueError("rank and world_size go together")
        if world_size is not None and not 0 <= rank < world_size:
            raise ValueError(f"rank must be 0 to {world_size - 1}, was {rank}")
        self.client = client or Client(url, api_key=api_key, timeout=timeout)
        self.resolution = source if isinstance(source, Resolution) else self.client.resolve(source)
        self.resolution.check(expected_snapshot_id, expected_rows_sha256)
        # torch.distributed as it is now: a spawned DataLoader worker does not see the process group
        self._placement = (rank, world_size) if rank is not None else _distributed()
        self.transform = transform
        self.format = format
        self.batches = batches

    @property
    def snapshot_id(self) -> str:
        return self.resolution.snapshot_id

    @property
    def rows_sha256(self) -> str:
        return self.resolution.rows_sha256

    def placement(self) -> tuple[int, int]:
        """(rank, world_size) this process reads as."""
        return self._placement or _distributed() or _environment() or (0, 1)

    def shard(self) -> tuple[int, int]:
        """(shard, shards) this process (and DataLoader worker, when called in one) reads."""
        rank, world_size = self.placement()
        info = get_worker_info()
        worker_id, num_workers = (info.id, info.num_workers) if info is not None else (0, 1)
        return shard_of(rank, world_size, worker_id, num_workers)

    def __iter__(self) -> Iterator[Any]:
        shard, shards = self.shard()
        part = (None, None) if shards == 1 else (shard, shards)
        transform = self.transform
        if self.format == "jsonl":
            for row in self.client.rows(self.resolution, *part):
                yield transform(row) if transform is not None else row
            return
        for batch in self.client.batches(self.resolution, *part):
            if self.batches:
                yield transform(batch) if transform is not None else batch
            else:
                for row in batch.to_pylist():
                    yield transform(row) if transform is not None else row

    def verify(self, ids: Iterable[Any], against_server: bool = False, id_column: str = "id") -> int:
        """Check that ``ids`` (gathered from every rank and worker) is every selected row exactly once.

        Count and uniqueness always; with ``against_server`` also the ids of the unsharded rows path,
        whose SHA-256 is checked. Returns the row count; raises ``CoverageError``.
        """
        return verify_coverage(self.resolution, ids, self.client if against_server else None, id_column)

    def __repr__(self) -> str:
        r = self.resolution
        return f"KilnDataset({r.table} snapshot {r.snapshot_id}{' pin ' + r.pin if r.pin else ''}, {r.rows} rows, {self.format})"
