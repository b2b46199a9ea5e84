"""Writes ROWS JSON lines {"id": "row-0000000", "text": ...} to OUT: 30 to 300 words (log-uniform) of the
licenses in /usr/share/common-licenses, from SEED, about 700 B a row; the same arguments give the same bytes.

    python3 bench/license_rows.py OUT ROWS SEED
"""
import glob, hashlib, json, math, os, random, sys
out, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
words = []
for path in sorted(glob.glob("/usr/share/common-licenses/*")):
    if os.path.isfile(path) and not os.path.islink(path):
        words += open(path, encoding="utf-8", errors="replace").read().split()
print("pool: %d words, fingerprint %s" % (len(words), hashlib.sha256(" ".join(words).encode()).hexdigest()[:16]), file=sys.stderr)
rng = random.Random(seed)
with open(out + ".tmp", "w", encoding="utf-8") as o:
    for i in range(rows):
        n = int(math.exp(rng.uniform(math.log(30), math.log(300))))
        start = rng.randrange(len(words) - n)
        o.write(json.dumps({"id": "row-%07d" % i, "text": " ".join(words[start:start + n])}, ensure_ascii=False) + "\n")
os.replace(out + ".tmp", out)
