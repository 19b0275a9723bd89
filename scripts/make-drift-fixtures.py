#!/usr/bin/env python3
"""Builds fixtures/drift/: seeded samples and scipy/numpy reference values for Lumen's drift
statistics — two-sample KS (statistic and exact p-value; Kolmogorov-limit p-value for large
samples), Wasserstein-1, PSI and Jensen-Shannon on reference-quantile bins, chi-squared goodness
of fit, bias-corrected Cramer's V, Benjamini-Hochberg.

Usage: pip install numpy scipy && python3 scripts/make-drift-fixtures.py
"""
import json
import pathlib

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "drift"


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

    # Categorical: counts over categories, chi-squared vs reference proportions, Cramer's V.
    cats = []
    for name, (pr, pc) in {"cat_same": ([0.5, 0.3, 0.2], [0.5, 0.3, 0.2]), "cat_shift": ([0.5, 0.3, 0.2, 0.0], [0.35, 0.3, 0.25, 0.1])}.items():
        r = rng.multinomial(800, pr).astype(float)
        c = rng.multinomial(600, pc).astype(float)
        expected = np.maximum(r / r.sum(), 1e-4) * c.sum()
        chi = float(np.sum((c - expected) ** 2 / expected))
        p = float(stats.chi2.sf(chi, len(r) - 1))
        keep = (r + c) > 0
        table = np.vstack([r[keep], c[keep]])
        chi2c = stats.chi2_contingency(table, correction=False)[0]
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
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
