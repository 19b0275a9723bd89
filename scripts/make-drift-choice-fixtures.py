#!/usr/bin/env python3
"""Builds fixtures/drift/test_choice.json: seeded feature pairs and, for each, the test Evidently's
legacy DataDriftPreset picks by default (evidently 0.4.x `get_stattest` with no override) and the
score it computes, so Lumen's automatic choice and numbers can be checked against Evidently itself.

Where Lumen deliberately differs (its chi-squared is the two-sample contingency test, not Evidently's
goodness of fit), the reference value comes from scipy.stats.chi2_contingency (no Yates correction),
and Evidently's own p-value is kept beside it as `evidently_score`.

Usage: pip install "evidently==0.4.40" numpy scipy pandas && python3 scripts/make-drift-choice-fixtures.py
"""
import json
import pathlib

import numpy as np
import pandas as pd
from evidently.calculations.stattests.registry import get_stattest
from evidently.core import ColumnType
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "drift" / "test_choice.json"

# Evidently's test names -> Lumen's DriftResult.method
NAMES = {"ks": "ks", "wasserstein": "wasserstein_normed", "jensenshannon": "jensen_shannon",
         "chisquare": "chi_squared", "z": "z_test"}


def cases(rng):
    def cat(n, labels, p):
        return list(rng.choice(labels, size=n, p=p))

    yield "continuous_small", "numeric", rng.normal(0, 1, 500), rng.normal(0, 1, 400)
    yield "continuous_large", "numeric", rng.normal(0, 1, 3000), rng.normal(0.05, 1, 2000)
    yield "binary_numeric_small", "numeric", rng.binomial(1, 0.3, 800).astype(float), rng.binomial(1, 0.34, 700).astype(float)
    yield "binary_numeric_large", "numeric", rng.binomial(1, 0.3, 3000).astype(float), rng.binomial(1, 0.3, 2500).astype(float)
    yield "four_valued_small", "numeric", rng.choice([1.0, 2.0, 3.0, 4.0], 800, p=[0.4, 0.3, 0.2, 0.1]), \
        rng.choice([1.0, 2.0, 3.0, 4.0], 600, p=[0.4, 0.3, 0.2, 0.1])
    # One rare value the reference never saw: Evidently's goodness of fit gives p = 0 on no-drift data.
    ref = rng.choice([1.0, 2.0, 3.0], 800, p=[0.5, 0.3, 0.2])
    cur = np.concatenate([rng.choice([1.0, 2.0, 3.0], 599, p=[0.5, 0.3, 0.2]), [4.0]])
    yield "unseen_rare_value", "numeric", ref, cur
    # Five values in the reference, a sixth in the current: distinct values over both samples = 6 -> KS.
    ref = rng.integers(0, 5, 800).astype(float)
    cur = np.concatenate([rng.integers(0, 5, 590).astype(float), np.full(10, 5.0)])
    yield "six_values_over_both", "numeric", ref, cur
    yield "categorical_three", "categorical", cat(800, ["a", "b", "c"], [0.5, 0.3, 0.2]), cat(700, ["a", "b", "c"], [0.45, 0.3, 0.25])
    yield "categorical_two", "categorical", cat(500, ["no", "yes"], [0.8, 0.2]), cat(450, ["no", "yes"], [0.8, 0.2])
    yield "categorical_seven_large", "categorical", cat(2000, list("abcdefg"), [0.3, 0.2, 0.15, 0.15, 0.1, 0.05, 0.05]), \
        cat(1500, list("abcdefg"), [0.25, 0.2, 0.15, 0.15, 0.1, 0.1, 0.05])
    # A constant reference and one other value in the current: 2 distinct values, > 1000 rows -> Jensen-Shannon.
    yield "constant_reference_large", "numeric", np.zeros(1200), np.concatenate([np.zeros(597), np.ones(3)])
    yield "five_valued_large", "numeric", rng.choice([0.0, 1.0, 2.0, 3.0, 4.0], 1500), rng.choice([0.0, 1.0, 2.0, 3.0, 4.0], 1500)


def main():
    rng = np.random.default_rng(20261202)
    out = []
    for name, kind, ref, cur in cases(rng):
        r = pd.Series(ref)
        c = pd.Series(cur)
        feature_type = ColumnType.Numerical if kind == "numeric" else ColumnType.Categorical
        test = get_stattest(r, c, feature_type, None)
        result = test(r, c, feature_type, None)
        entry = {"name": name, "kind": kind, "evidently_test": test.name, "method": NAMES[test.name],
                 "evidently_score": float(result.drift_score), "evidently_drifted": bool(result.drifted),
                 "reference": [x if kind == "categorical" else float(x) for x in ref],
                 "current": [x if kind == "categorical" else float(x) for x in cur]}
        if test.name == "chisquare":
            keys = sorted(set(ref) | set(cur))
            table = np.array([[list(ref).count(k) for k in keys], [list(cur).count(k) for k in keys]], dtype=float)
            statistic, p = stats.chi2_contingency(table, correction=False)[:2]
            entry["score"] = float(p)
            entry["statistic"] = float(statistic)
        else:
            entry["score"] = float(result.drift_score)
        out.append(entry)
        print(f"{name}: {test.name} score {entry['score']:.6g} (evidently {entry['evidently_score']:.6g})")
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
