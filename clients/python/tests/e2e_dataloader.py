"""End to end, as a training job would: a YAML config -> resolve -> KilnDataset in a DataLoader with
workers on several ranks -> every selected row exactly once, the same rows as an export of the same
config (downloaded as a client on another machine would), and the digests match.

    /usr/bin/python3 tests/e2e_dataloader.py --url http://127.0.0.1:8080 --config train.yaml \
        --export-dir /srv/kiln/exports/e2e --download-dir /tmp/e2e --out result.json [--workers 4 --ranks 2]

Exits 0 when everything matched, and writes the rows it read (sorted by id) with the resolution to
``--out`` so that another reader (Trino, in Kiln's integration tests) can be compared with them.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiln_client import Client, read_export  # noqa: E402
from kiln_client.torch import KilnDataset  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--export-dir", required=True, help="inside the service's export roots (the service writes there)")
    parser.add_argument("--download-dir", required=True, help="where this machine puts the downloaded export")
    parser.add_argument("--out", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--ranks", type=int, default=2)
    args = parser.parse_args()

    import torch.utils.data

    client = Client(args.url)
    resolution = client.resolve(args.config)
    print(f"resolved {resolution.table} at snapshot {resolution.snapshot_id}: {resolution.rows} rows, sha256 {resolution.rows_sha256}")

    rows, per_rank = [], []
    for rank in range(args.ranks):
        dataset = KilnDataset(args.config, client=client, rank=rank, world_size=args.ranks,
                              expected_snapshot_id=resolution.snapshot_id, expected_rows_sha256=resolution.rows_sha256)
        loader = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=args.workers)
        read = list(loader)
        per_rank.append(len(read))
        rows.extend(read)
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids), f"{len(ids) - len(set(ids))} rows were read twice across {args.ranks} ranks x {args.workers} workers"
    count = dataset.verify(ids, against_server=True)
    assert count == resolution.rows, (count, resolution.rows)
    print(f"DataLoader: {len(rows)} rows, exactly once, over {args.ranks} ranks x {args.workers} workers ({per_rank} per rank)")

    config = {key: value for key, value in resolution.raw.items() if key in ("columns", "filter", "split") and value}
    export = client.export(resolution.table, args.export_dir, snapshot=resolution.snapshot_id, format="jsonl", shard_rows=max(1, resolution.rows // 3),
                           columns=config.get("columns"), filter=config.get("filter"), split=config.get("split"))
    downloaded = client.download(export["id"], args.download_dir)
    downloaded.check(resolution)
    assert downloaded.joined_sha256() == resolution.rows_sha256, "the export's rows are not the resolved rows"
    exported = []
    for path in downloaded.paths:
        with open(path, "rb") as lines:
            exported.extend(json.loads(line) for line in lines if line.strip())
    key = lambda row: row["id"]  # noqa: E731
    assert sorted(exported, key=key) == sorted(rows, key=key), "the DataLoader's rows differ from the export's"
    print(f"export {export['id']}: {len(exported)} rows in {len(downloaded.files)} files, the same rows, sha256 {downloaded.joined_sha256()}")

    Path(args.out).write_text(json.dumps({
        "snapshotId": resolution.snapshot_id,
        "rowsSha256": resolution.rows_sha256,
        "trinoSql": resolution.raw.get("trinoSql"),
        "exportSha256": downloaded.joined_sha256(),
        "perRank": per_rank,
        "rows": sorted(rows, key=key),
    }, sort_keys=True))
    print("OK", hashlib.sha256(Path(args.out).read_bytes()).hexdigest())


if __name__ == "__main__":
    main()
