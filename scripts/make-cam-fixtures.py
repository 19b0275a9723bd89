#!/usr/bin/env python3
"""Builds the EigenCAM parity fixtures in fixtures/cam/ with an independent numpy reference.

The reference follows the published algorithm (notes/eigencam.md): activations C×H×W are reshaped
to an HW×C matrix, NaN/Inf set to 0, each channel centred, the first right singular vector taken
from a *full* numpy SVD (float64), the data projected on it. Lumen's documented sign rule is then
applied (orient the map to co-vary positively with the channel-summed map; if that covariance is
zero, make the largest magnitude positive), and the map goes through ReLU, min-max scaling
(x - min) / (1e-7 + max), OpenCV INTER_LINEAR resize, ReLU, layer mean and min-max again.

Usage: pip install numpy opencv-python-headless safetensors && python3 scripts/make-cam-fixtures.py
"""
import json
import pathlib

import cv2
import numpy as np
from safetensors.numpy import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "cam"


def planted_activations(rng, c, h, w, blobs=2):
    """ReLU'd activations with a few spatial blobs shared by groups of channels, plus noise."""
    yy, xx = np.mgrid[0:h, 0:w]
    acts = rng.normal(0.0, 0.3, size=(c, h, w))
    for b in range(blobs):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        sigma = max(h, w) * rng.uniform(0.12, 0.3)
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2))
        loadings = np.maximum(rng.normal(1.0 / (b + 1), 0.6, size=c), 0)
        acts += (3.0 / (b + 1)) * loadings[:, None, None] * blob[None]
    return np.maximum(acts, 0).astype(np.float32)


def components(acts, k, center=True):
    c = acts.shape[0]
    x = acts.reshape(c, -1).T.astype(np.float64)
    x[~np.isfinite(x)] = 0
    if center:
        x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    summed = x.sum(axis=1)
    out = []
    for i in range(k):
        p = x @ vt[i]
        cov = np.dot(p - p.mean(), summed - summed.mean())
        scale = np.sqrt(np.dot(p - p.mean(), p - p.mean()) * np.dot(summed - summed.mean(), summed - summed.mean()))
        if scale > 0 and abs(cov) > 1e-6 * scale:
            flip, rule = cov < 0, "covariance"
        else:
            flip, rule = abs(p.min()) > abs(p.max()), "extent"
        if flip:
            p = -p
        evr = float(s[i] ** 2 / np.sum(s**2)) if np.sum(s**2) > 0 else 0.0
        out.append((p.reshape(acts.shape[1:]), evr, bool(flip), rule))
    return out


def scale(img):
    img = img - np.min(img)
    return img / (1e-7 + np.max(img))


def heatmap(projections, width, height):
    layers = []
    for p in projections:
        m = scale(np.maximum(p.astype(np.float32), 0)).astype(np.float32)
        layers.append(cv2.resize(m, (width, height), interpolation=cv2.INTER_LINEAR))
    stacked = np.maximum(np.stack(layers), 0)
    return scale(stacked.mean(axis=0)).astype(np.float32)


def write_case(name, acts, k=1, center=True, size=(96, 72)):
    np.save(OUT / f"{name}.npy", acts)
    comps = components(acts, k, center)
    record = {"activations": f"{name}.npy", "center": center, "width": size[0], "height": size[1], "components": []}
    for i, (p, evr, flip, rule) in enumerate(comps):
        np.save(OUT / f"{name}.c{i}.projection.npy", p.astype(np.float32))
        np.save(OUT / f"{name}.c{i}.heatmap.npy", heatmap([p], *size))
        record["components"].append({"explained_variance_ratio": evr, "flipped": flip, "sign_rule": rule})
    record["non_finite"] = int((~np.isfinite(acts)).sum())
    return record


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261122)
    cases = {}
    cases["c512_7x7"] = write_case("c512_7x7", planted_activations(rng, 512, 7, 7))
    cases["c256_20x20"] = write_case("c256_20x20", planted_activations(rng, 256, 20, 20))
    cases["c64_80x80"] = write_case("c64_80x80", planted_activations(rng, 64, 80, 80))
    cases["c_gt_hw_300_10x10"] = write_case("c_gt_hw_300_10x10", planted_activations(rng, 300, 10, 10), k=3)
    cases["c_lt_hw_16_30x30"] = write_case("c_lt_hw_16_30x30", planted_activations(rng, 16, 30, 30), k=2)
    cases["uncentered_32_12x12"] = write_case("uncentered_32_12x12", planted_activations(rng, 32, 12, 12), center=False)
    nan = planted_activations(rng, 64, 14, 14)
    nan[3, 2, 5] = np.nan
    nan[10, 7, 7] = np.nan
    nan[20, 0, 13] = np.inf
    nan[40, 13, 0] = -np.inf
    cases["nan_64_14x14"] = write_case("nan_64_14x14", nan)

    # Two layers averaged (different resolutions), one image size.
    a, b = planted_activations(rng, 48, 8, 8), planted_activations(rng, 24, 16, 16)
    np.save(OUT / "multi_a.npy", a)
    np.save(OUT / "multi_b.npy", b)
    pa, pb = components(a, 1)[0][0], components(b, 1)[0][0]
    np.save(OUT / "multi.heatmap.npy", heatmap([pa, pb], 50, 40))
    cases["multi"] = {"layers": ["multi_a.npy", "multi_b.npy"], "width": 50, "height": 40}

    # A batch of 3 as one (N,C,H,W) array, and the same data in float16, big-endian and Fortran order.
    batch = np.stack([planted_activations(rng, 32, 9, 9) for _ in range(3)])
    np.save(OUT / "batch3_32_9x9.npy", batch)
    for n in range(3):
        np.save(OUT / f"batch3_32_9x9.n{n}.projection.npy", components(batch[n], 1)[0][0].astype(np.float32))
    small = batch[0]
    np.save(OUT / "layout_f16.npy", small.astype(np.float16))
    np.save(OUT / "layout_f32_be.npy", small.astype(">f4"))
    np.save(OUT / "layout_f64.npy", small.astype(np.float64))
    np.save(OUT / "layout_fortran.npy", np.asfortranarray(small))
    np.save(OUT / "layout_reference_f32.npy", small)
    np.save(OUT / "layout_reference_from_f16.npy", small.astype(np.float16).astype(np.float32))

    # The two averaged layers again, in one safetensors file, with a float16 copy and an int tensor.
    save_file({"layer_a": a, "layer_b": b, "layer_a_f16": a.astype(np.float16),
               "step": np.array([3, 1, 4], dtype=np.int64)}, str(OUT / "layers.safetensors"),
              metadata={"producer": "scripts/make-cam-fixtures.py"})

    (OUT / "cases.json").write_text(json.dumps(cases, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
