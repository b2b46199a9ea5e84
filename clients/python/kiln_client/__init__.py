"""Python client of Kiln: resolve a training config to its exact snapshot, stream its rows, read exports.

    from kiln_client import Client
    kiln = Client("http://localhost:8080")
    resolution = kiln.resolve("train.yaml")
    for row in kiln.rows(resolution):   # checks the rows' SHA-256 against resolution.rows_sha256 at the end
        ...

``kiln_client.torch.KilnDataset`` (needs torch) reads the rows across DataLoader workers and ranks.
"""

from .client import DEFAULT_URL, Client, Resolution, Split, snapshot_id
from .coverage import verify_coverage
from .errors import (CoverageError, DigestMismatch, KilnError, RowCountMismatch, SnapshotMismatch,
                     VerificationError, Violation)
from .export import Export, ExportFile, read_export

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_URL", "Client", "Resolution", "Split", "snapshot_id", "verify_coverage", "read_export", "Export", "ExportFile",
    "KilnError", "Violation", "VerificationError", "DigestMismatch", "SnapshotMismatch", "RowCountMismatch", "CoverageError",
]
