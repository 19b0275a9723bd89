#!/usr/bin/env python3
"""Structure-aware ONNX mutator: edits attributes, initializer dims and values, input dims and
wiring of the operator fixtures, runs `lumen model inspect` on each mutant and keeps every one
that ends in a signal or a time-out (`crash-<signal>-<seed model>-<sha1>.onnx`). The small ones
were committed to fixtures/hostile/onnx/ (renamed sig<N>-…), where LumenONNXTests replays them.

Usage: pip install onnx numpy
       python3 scripts/fuzz-onnx-mutations.py .build/debug/lumen OUT_DIR RUNS [SEED]
"""
import random, subprocess, sys, pathlib, hashlib, glob, os
import onnx
from onnx import helper, numpy_helper
import numpy as np

LUMEN = sys.argv[1]; OUT = pathlib.Path(sys.argv[2]); N = int(sys.argv[3])
OUT.mkdir(parents=True, exist_ok=True)
ROOT = pathlib.Path(__file__).resolve().parent.parent
seeds = sorted(glob.glob(str(ROOT / "fixtures/onnx/ops/*.onnx"))) + [str(ROOT / "fixtures/onnx/yolov8n.onnx")]
seeds = [s for s in seeds if "external" not in s]
models = {s: onnx.load(s) for s in seeds}
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
EVIL = [0, -1, -2, 1, 2, 3, 7, 2**31, 2**40, 2**62, 2**63 - 1, -2**63, 10**6, -10**6]
EVILF = [float("nan"), float("inf"), -float("inf"), 0.0, -1.0, 1e30, 1e-30, 3.0]
def mutate(m):
    m = onnx.ModelProto.FromString(m.SerializeToString())
    g = m.graph
    for _ in range(rng.randint(1, 3)):
        k = rng.random()
        if k < 0.5 and len(g.node):
            n = rng.choice(g.node)
            if n.attribute and rng.random() < 0.8:
                a = rng.choice(n.attribute)
                if a.type == onnx.AttributeProto.INT: a.i = rng.choice(EVIL)
                elif a.type == onnx.AttributeProto.INTS:
                    if a.ints and rng.random() < 0.7: a.ints[rng.randrange(len(a.ints))] = rng.choice(EVIL)
                    elif rng.random() < 0.5 and a.ints: del a.ints[-1]
                    else: a.ints.append(rng.choice(EVIL))
                elif a.type == onnx.AttributeProto.FLOAT: a.f = rng.choice(EVILF)
                elif a.type == onnx.AttributeProto.TENSOR:
                    arr = numpy_helper.to_array(a.t).copy()
                    if arr.size: arr.flat[rng.randrange(arr.size)] = rng.choice(EVIL if arr.dtype.kind == 'i' else EVILF)
                    a.t.CopyFrom(numpy_helper.from_array(arr.astype(arr.dtype), a.t.name))
            else:
                name = rng.choice(["axis", "strides", "dilations", "pads", "perm", "group", "kernel_shape", "axes", "split", "keepdims", "to", "mode", "auto_pad", "ceil_mode"])
                if name in ("mode", "auto_pad"): n.attribute.append(helper.make_attribute(name, rng.choice(["SAME_UPPER", "VALID", "edge", "reflect", "cubic", "x"])))
                elif name in ("axis", "group", "keepdims", "to", "ceil_mode"): n.attribute.append(helper.make_attribute(name, rng.choice(EVIL)))
                else: n.attribute.append(helper.make_attribute(name, [rng.choice(EVIL) for _ in range(rng.randint(1, 5))]))
            # dedupe attribute names: keep last
            seen = {}
            for a in n.attribute: seen[a.name] = a
            del n.attribute[:]; n.attribute.extend(seen.values())
        elif k < 0.8 and len(g.initializer):
            t = rng.choice(g.initializer)
            arr = numpy_helper.to_array(t).copy()
            if arr.dtype.kind == 'i' and arr.size:
                arr.flat[rng.randrange(arr.size)] = rng.choice(EVIL)
                t.CopyFrom(numpy_helper.from_array(arr, t.name))
            elif arr.size and rng.random() < 0.5:
                arr.flat[rng.randrange(arr.size)] = rng.choice(EVILF)
                t.CopyFrom(numpy_helper.from_array(arr, t.name))
            elif t.dims:
                t.dims[rng.randrange(len(t.dims))] = rng.choice(EVIL)
        elif k < 0.9 and len(g.input):
            d = g.input[0].type.tensor_type.shape.dim
            if d: d[rng.randrange(len(d))].dim_value = rng.choice([0, 1, 2**20, 2**40, 3, 10**5])
        else:
            # rewire an input / swap node order
            if len(g.node) > 1:
                n = rng.choice(g.node)
                if n.input: n.input[rng.randrange(len(n.input))] = rng.choice([x for nn in g.node for x in nn.output] + [i.name for i in g.initializer] + [""])
    return m
crashes = 0; env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
for i in range(N):
    src = rng.choice(seeds)
    try:
        m = mutate(models[src])
    except Exception:
        continue
    p = OUT / "cur.onnx"; data = m.SerializeToString(); p.write_bytes(data)
    try:
        r = subprocess.run([LUMEN, "model", "inspect", str(p)], capture_output=True, timeout=20, env=env)
        code = r.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    if code not in (0, 1, 64):
        h = hashlib.sha1(data).hexdigest()[:12]
        (OUT / f"crash-{code}-{pathlib.Path(src).stem}-{h}.onnx").write_bytes(data)
        crashes += 1
print(f"{N} runs, {crashes} crashes")
