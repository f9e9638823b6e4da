"""Time balance's ASMD on the benchmark tables (run with the balance venv's python).

Usage: /work/venvs/balance/bin/python benchmarks/diagnostics/balance_asmd.py DATA_DIR
Prints one JSON line: seconds to build the Samples and to compute ``covars().asmd()``.
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd
from balance import Sample

data = Path(sys.argv[1])
names = [f"v{i}" for i in range(8)]
frames = {}
for side in ("personas", "reference"):
    df = pd.read_csv(data / f"{side}.csv")
    for n in names:
        df[n] = df[n].astype(str).astype("category")
    df["id"] = range(len(df))
    frames[side] = df
t0, c0 = time.perf_counter(), time.process_time()
sample = Sample.from_frame(frames["personas"], id_column="id", weight_column="weight")
target = Sample.from_frame(frames["reference"], id_column="id", weight_column="weight")
adjusted = sample.set_target(target)
t1, c1 = time.perf_counter(), time.process_time()
asmd = adjusted.covars().asmd()
t2, c2 = time.perf_counter(), time.process_time()
row = asmd.iloc[0]
print(
    json.dumps(
        {
            "build_seconds": t1 - t0,
            "asmd_seconds": t2 - t1,
            "build_cpu": c1 - c0,
            "asmd_cpu": c2 - c1,
            "index": [str(i) for i in asmd.index],
            "asmd": {str(k): float(v) for k, v in row.items()},
        }
    )
)
