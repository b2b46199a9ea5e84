"""KilnDataset's placement (rank, world size, workers) against the stand-in server; needs torch.

Without torch these are skipped, saying why; with ``CI=true`` and ``KILN_URL`` set they fail instead
(the rule the service tests follow).
"""

import os
import sys
import unittest
from unittest import mock

from kiln_client import Resolution

from .standin import ROWS, StandInServer, resolution_json

try:
    import torch  # noqa: F401
except ImportError:
    torch = None


def setUpModule():
    if torch is None:
        why = "torch is not installed: run the tests with a Python that has it (Debian's /usr/bin/python3 here)"
        if os.environ.get("CI", "").lower() == "true" and os.environ.get("KILN_URL"):
            raise AssertionError(why + " (CI=true: this is a failure, not a skip)")
        print(f"\nSKIPPED: {why}", file=sys.stderr)
        raise unittest.SkipTest(why)


def worker_and_id(row):
    from torch.utils.data import get_worker_info
    return get_worker_info().id, row["id"]


class KilnDatasetPlacementTest(StandInServer, unittest.TestCase):
    def dataset(self, **kwargs):
        from kiln_client.torch import KilnDataset
        return KilnDataset(Resolution.from_json(resolution_json()), url=self.url, **kwargs)

    def test_dataset_placement_precedence(self):
        import kiln_client.torch as kt
        with mock.patch.dict(os.environ, {"RANK": "3", "WORLD_SIZE": "4"}):
            self.assertEqual(self.dataset().shard(), (3, 4))  # the environment
            with mock.patch.object(kt._dist, "is_initialized", return_value=True), \
                    mock.patch.object(kt._dist, "get_rank", return_value=1), \
                    mock.patch.object(kt._dist, "get_world_size", return_value=2):
                self.assertEqual(self.dataset().shard(), (1, 2))  # torch.distributed beats the environment
                self.assertEqual(self.dataset(rank=0, world_size=3).shard(), (0, 3))  # explicit beats both
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(self.dataset().shard(), (0, 1))
        self.assertEqual(kt.shard_of(1, 2, 3, 4), (7, 8))
        with self.assertRaises(ValueError):
            kt.shard_of(0, 256, 0, 257)  # more than 65536 shards
        with self.assertRaises(ValueError):
            self.dataset(rank=2, world_size=2)

    def test_dataset_alone_reads_everything_and_checks_the_digest(self):
        self.assertEqual(list(self.dataset(rank=0, world_size=1)), ROWS)
        self.assertEqual(self.server.requests[-1][1], resolution_json()["rowsPath"])

    def test_dataset_spawned_workers_each_ask_for_their_shard(self):
        from torch.utils.data import DataLoader
        dataset = self.dataset(rank=1, world_size=2, transform=worker_and_id)
        loader = DataLoader(dataset, num_workers=2, batch_size=None, multiprocessing_context="spawn")
        seen = list(loader)  # the stand-in serves the same body for every shard
        self.assertEqual(sorted(worker for worker, _ in seen), [0] * len(ROWS) + [1] * len(ROWS))
        asked = sorted(path.rsplit("?", 1)[1].split("&shard=", 1)[1] for _, path, _, _ in self.server.requests)
        self.assertEqual(asked, ["2&shards=4", "3&shards=4"])  # rank 1 of 2, 2 workers: shards 2 and 3 of 4


if __name__ == "__main__":
    unittest.main()
