#!/usr/bin/env python3
"""Builds fixtures/drift/: seeded samples and scipy/numpy reference values for Lumen's drift
statistics — two-sample KS (statistic and exact p-value; Kolmogorov-limit p-value for large
samples), Wasserstein-1, PSI and Jensen-Shannon on reference-quantile bins, the two-sample
chi-squared test (scipy chi2_contingency on the 2 x K table, no Yates correction), bias-corrected
Cramer's V, Benjamini-Hochberg.

Also builds two small image folders with their numpy image properties, and feature CSVs.
Usage: pip install numpy scipy pillow && python3 scripts/make-drift-fixtures.py
"""
import json
import pathlib

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "drift"


def bins(ref, cur, k=10):
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, k + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    inner = edges[1:-1]
    nb = len(edges) - 1
    r = np.bincount(np.searchsorted(inner, ref, side="left"), minlength=nb) / len(ref)
    c = np.bincount(np.searchsorted(inner, cur, side="left"), minlength=nb) / len(cur)
    return r, c


def psi(r, c):
    r, c = np.maximum(r, 1e-4), np.maximum(c, 1e-4)
    return float(np.sum((r - c) * np.log(r / c)))


def properties(rgb):
    """Deepchecks' image properties over all pixels (see notes/drift.md)."""
    rgb = rgb.astype(np.float64)
    y = 0.2125 * rgb[..., 0] + 0.7154 * rgb[..., 1] + 0.0721 * rgb[..., 2]
    total = rgb.sum(axis=-1)
    safe = np.where(total > 0, total, 1)
    rel = np.where(total[..., None] > 0, rgb / safe[..., None], 0)
    h, w = rgb.shape[:2]
    return {"aspect_ratio": h / w, "area": float(h * w), "brightness": float(y.mean()), "rms_contrast": float(y.std()),
            "mean_relative_red": float(rel[..., 0].mean()), "mean_relative_green": float(rel[..., 1].mean()),
            "mean_relative_blue": float(rel[..., 2].mean())}


def image_fixtures(rng):
    """Two folders of small PNG crops of the demo photos: `reference` and `current` (darker and
    bluer), plus a corrupt file in `current` that must be skipped, not fatal."""
    from PIL import Image

    photos = [np.asarray(Image.open(ROOT / "fixtures" / "photos" / f"{n}.jpg").convert("RGB")) for n in ("chelsea", "coffee")]
    out = {}
    crops = []
    for k in range(24):
        photo = photos[k % 2]
        h, w = int(rng.integers(40, 72)), int(rng.integers(48, 96))
        y, x = int(rng.integers(0, photo.shape[0] - h)), int(rng.integers(0, photo.shape[1] - w))
        crops.append(photo[y:y + h, x:x + w].astype(np.float64))
    for side in ("reference", "current"):
        folder = OUT / "images" / side
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(24):
            crop = crops[k] if side == "reference" else crops[(k + 5) % 24]
            if side == "current":
                crop = crop * 0.6 + np.array([0, 0, 40.0])
            crop = np.clip(crop, 0, 255).astype(np.uint8)
            name = f"{side}_{k:02d}.png"
            Image.fromarray(crop).save(folder / name)
            out[f"{side}/{name}"] = properties(crop)
    (OUT / "images" / "current" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return out


def features_csv(rng):
    """Tabular features: reference and current CSVs where `income` shifts and `segment` changes mix."""
    def table(n, shift, mix):
        age = rng.normal(40, 12, n).round(1)
        income = rng.lognormal(10 + shift, 0.4, n).round(2)
        segment = rng.choice(["a", "b", "c"], n, p=mix)
        score = rng.uniform(0, 1, n).round(4)
        rows = ["age,income,segment,score"] + [f"{a},{i},{s},{c}" for a, i, s, c in zip(age, income, segment, score)]
        return "\n".join(rows) + "\n"
    (OUT / "features_reference.csv").write_text(table(1500, 0.0, [0.5, 0.3, 0.2]))
    (OUT / "features_current.csv").write_text(table(1200, 0.25, [0.3, 0.3, 0.4]))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(99)
    cases = {
        "same_small": (rng.normal(0, 1, 60), rng.normal(0, 1, 45)),
        "shift_small": (rng.normal(0, 1, 80), rng.normal(0.5, 1, 70)),
        "ties": (np.round(rng.normal(0, 1, 120), 1), np.round(rng.normal(0.1, 1.2, 90), 1)),
        "scale_medium": (rng.normal(0, 1, 900), rng.normal(0, 1.15, 1100)),
        "large_shift": (rng.normal(0, 1, 6000), rng.normal(0.04, 1, 5000)),
        "skewed": (rng.lognormal(0, 1, 300), rng.lognormal(0.15, 1, 250)),
    }
    ref = {}
    for name, (a, b) in cases.items():
        np.save(OUT / f"{name}.reference.npy", a.astype(np.float64))
        np.save(OUT / f"{name}.current.npy", b.astype(np.float64))
        n, m = len(a), len(b)
        entry = {"n": n, "m": m, "wasserstein": float(stats.wasserstein_distance(a, b)), "std_ref": float(np.std(a))}
        if n * m <= 10_000_000 and n * m <= 1_000_000:
            res = stats.ks_2samp(a, b, method="exact")
            entry["ks_mode"] = "exact"
        else:
            res = stats.ks_2samp(a, b, method="asymp")
            en = n * m / (n + m)
            entry["ks_mode"] = "asymp"
            entry["ks_kolmogorov_limit_p"] = float(stats.kstwobign.sf(np.sqrt(en) * res.statistic))
        entry["ks_statistic"] = float(res.statistic)
        entry["ks_p"] = float(res.pvalue)
        r, c = bins(a, b)
        entry["psi"] = psi(r, c)
        entry["jensen_shannon"] = float(jensenshannon(r, c))
        ref[name] = entry

    # Categorical: counts over categories, two-sample chi-squared (contingency), Cramer's V.
    cats = []
    for name, (pr, pc) in {"cat_same": ([0.5, 0.3, 0.2], [0.5, 0.3, 0.2]), "cat_shift": ([0.5, 0.3, 0.2, 0.0], [0.35, 0.3, 0.25, 0.1])}.items():
        r = rng.multinomial(800, pr).astype(float)
        c = rng.multinomial(600, pc).astype(float)
        keep = (r + c) > 0
        table = np.vstack([r[keep], c[keep]])
        chi2c, p = stats.chi2_contingency(table, correction=False)[:2]
        chi, p = float(chi2c), float(p)
        nn = table.sum()
        phi2 = chi2c / nn
        rows, cols = table.shape
        phi2c = max(0, phi2 - (cols - 1) * (rows - 1) / (nn - 1))
        rc = rows - (rows - 1) ** 2 / (nn - 1)
        kc = cols - (cols - 1) ** 2 / (nn - 1)
        v = float(np.sqrt(phi2c / min(rc - 1, kc - 1)))
        cats.append({"name": name, "reference": r.tolist(), "current": c.tolist(), "chi2": chi, "chi2_p": p, "cramers_v": v,
                     "js": float(jensenshannon(r, c)), "psi": psi(r / r.sum(), c / c.sum())})
    ref["categorical"] = cats

    pvals = rng.uniform(0, 0.2, 30) ** 2
    ref["bh"] = {"p": pvals.tolist(), "significant": stats.false_discovery_control(pvals) < 0.05}
    ref["bh"]["significant"] = [bool(x) for x in ref["bh"]["significant"]]
    ref["image_properties"] = image_fixtures(rng)
    features_csv(rng)
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
