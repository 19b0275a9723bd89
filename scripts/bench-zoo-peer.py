#!/usr/bin/env python3
"""onnxruntime's forward pass on one zoo model (scripts/export-onnx-zoo.py), 2 threads, the
zoo's seeded input: prints {"median_ms": …, "min_ms": …, "runs": N} for `lumen-bench zoo`.

Usage: python3 scripts/bench-zoo-peer.py --dir data/zoo --model NAME [--runs 10]
"""
import argparse
import json
import pathlib
import time

import numpy as np
import onnxruntime as ort

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--runs", type=int, default=10)
args = parser.parse_args()
root = pathlib.Path(args.dir)
entry = next(e for e in json.loads((root / "zoo.json").read_text()) if e["name"] == args.model)
options = ort.SessionOptions()
options.intra_op_num_threads = 2
session = ort.InferenceSession(str(root / entry["file"]), options, providers=["CPUExecutionProvider"])
feed = {entry["input"]: np.load(root / f"{entry['name']}.in.npy")}
session.run(None, feed)
times = []
for _ in range(max(1, args.runs)):
    start = time.perf_counter()
    session.run(None, feed)
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"median_ms": float(np.median(times)), "min_ms": float(min(times)), "runs": len(times)}))
