#!/usr/bin/env python3
"""The Python peers for `lumen-bench drift`: scipy's ks_2samp and wasserstein_distance on 1M vs
1M, alibi-detect's MMDDrift (PyTorch backend, 100 permutations) on 2000×2000×32, and image
properties of a folder with Pillow + numpy (10 000 sampled pixels per image, as Deepchecks).
Prints JSON. Usage: pip install scipy alibi-detect torch pillow; run through `lumen-bench drift`.
"""
import argparse
import json
import os

import numpy as np
from peer_timing import timed
from scipy import stats




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=1_000_000), rng.normal(size=1_000_000) + 0.01
    result = {"ks_ms": timed(lambda: stats.ks_2samp(a, b, method="asymp"), runs=5),
              "wasserstein_ms": timed(lambda: stats.wasserstein_distance(a, b), runs=5)}
    peers = ["scipy"]
    try:
        from alibi_detect.cd import MMDDrift

        x = rng.normal(size=(2000, 32)).astype(np.float32)
        y = rng.normal(size=(2000, 32)).astype(np.float32)
        detector = MMDDrift(x, backend="pytorch", p_val=0.05, n_permutations=100)
        result["mmd_ms"] = timed(lambda: detector.predict(y), runs=3)
        peers.append("alibi-detect MMDDrift (pytorch)")
    except Exception as error:  # alibi-detect missing or failing: leave the row empty
        result["mmd_error"] = str(error)[:200]
    from PIL import Image

    def properties():
        out = []
        for name in sorted(os.listdir(args.images)):
            rgb = np.asarray(Image.open(os.path.join(args.images, name)).convert("RGB"), dtype=np.float64)
            flat = rgb.reshape(-1, 3)[rng.integers(0, rgb.shape[0] * rgb.shape[1], 10_000)]
            yv = flat @ np.array([0.2125, 0.7154, 0.0721])
            total = np.maximum(flat.sum(axis=1, keepdims=True), 1e-12)
            out.append((rgb.shape[0] / rgb.shape[1], yv.mean(), yv.std(), *(flat / total).mean(axis=0)))
        return out

    result["images_ms"] = timed(properties, runs=1)
    peers.append("Pillow + numpy image properties")
    result["peer"] = ", ".join(peers)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
