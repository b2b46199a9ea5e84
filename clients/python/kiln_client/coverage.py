"""Proving that the readers of a sharded run saw every selected row exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from .client import Resolution
from .errors import CoverageError


def verify_coverage(resolution: Resolution, ids: Iterable[Any], client=None, id_column: str = "id") -> int:
    """Check that ``ids`` (every row id all ranks and workers read, gathered) is each selected row once.

    Always: no id twice, and as many ids as ``resolution.rows``. With a ``client``, also that the ids
    are exactly those of the unsharded ``rows_path`` stream, read again and checked against
    ``rows_sha256`` (so the ids are the recorded rows, not just as many rows). The rows path must
    carry ``id_column``. Returns the row count; raises ``CoverageError`` (or ``DigestMismatch``).
    """
    seen = Counter(ids)
    repeated = [value for value, n in seen.items() if n > 1]
    total = sum(seen.values())
    if repeated:
        raise CoverageError(f"{len(repeated)} row ids were read more than once, e.g. {sorted(map(str, repeated))[:5]}",
                            expected=1, actual=repeated)
    if total != resolution.rows:
        raise CoverageError(f"{total} rows were read, the resolution of {resolution.table} snapshot {resolution.snapshot_id}"
                            f" selects {resolution.rows}", expected=resolution.rows, actual=total)
    if client is not None:
        if resolution.columns and id_column not in resolution.columns:
            raise ValueError(f"the rows path reads columns {list(resolution.columns)}, without {id_column!r}")
        expected = set()
        for row in client.rows(resolution):  # checks rows_sha256 and the count at the end
            expected.add(row[id_column])
        missing = expected - seen.keys()
        extra = seen.keys() - expected
        if missing or extra:
            raise CoverageError(f"{len(missing)} selected rows were not read (e.g. {sorted(map(str, missing))[:5]}),"
                                f" {len(extra)} read rows are not selected (e.g. {sorted(map(str, extra))[:5]})",
                                expected=len(expected), actual=total)
    return total
