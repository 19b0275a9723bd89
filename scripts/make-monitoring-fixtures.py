#!/usr/bin/env python3
"""Reference window metrics for LumenMonitoring's tests: seeded (predicted, true, confidence)
triples over five classes (one class never predicted, one never true), each with the top-3 class
probabilities a server would store, and scikit-learn's confusion_matrix, accuracy_score,
precision_recall_fscore_support (zero_division=0), and per-class one-vs-rest roc_auc_score and
average_precision_score on the probability matrix with unstored classes at 0; the expected
calibration error over 10 equal-width bins is computed in numpy.

Usage: python3 scripts/make-monitoring-fixtures.py   (writes fixtures/monitoring/classification.json)
"""
import json
import os

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)

rng = np.random.default_rng(20261206)
n = 400
classes = ["bobsled", "helmet", "tabby", "tiger cat", "volcano"]
truth = rng.choice(classes[:4], size=n, p=[0.1, 0.3, 0.4, 0.2])  # "volcano" is never true
confidence = rng.uniform(0.2, 1.0, size=n)
right = rng.uniform(size=n) < confidence * 0.9  # roughly calibrated, a little over-confident
predicted = np.where(right, truth, rng.choice(["helmet", "tabby", "tiger cat", "volcano"], size=n))
# "bobsled" is never predicted: its precision is 0 by zero_division
predicted = np.where(predicted == "bobsled", "helmet", predicted)

# The stored top-3: the predicted class at its confidence, two others below it.
scores = []
for a, c in zip(predicted, confidence):
    others = [k for k in classes if k != a]
    picked = rng.choice(others, size=2, replace=False)
    rest = rng.uniform(0, min(c, 1 - c), size=2)
    scores.append({str(a): float(c), str(picked[0]): float(rest[0]), str(picked[1]): float(rest[1])})

labels = sorted(set(predicted) | set(truth))
matrix = np.array([[row.get(k, 0.0) for k in labels] for row in scores])
roc = {}
ap = {}
for j, k in enumerate(labels):
    positive = truth == k
    if positive.any() and not positive.all():
        roc[k] = float(roc_auc_score(positive, matrix[:, j]))
        ap[k] = float(average_precision_score(positive, matrix[:, j]))
cm = confusion_matrix(truth, predicted, labels=labels)
p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
bins = np.minimum((confidence * 10).astype(int), 9)
ece = 0.0
for b in range(10):
    mask = bins == b
    if mask.any():
        ece += mask.mean() * abs((predicted[mask] == truth[mask]).mean() - confidence[mask].mean())

out = {
    "outcomes": [
        {"predicted": str(a), "truth": str(t), "confidence": float(c), "scores": sc}
        for a, t, c, sc in zip(predicted, truth, confidence, scores)
    ],
    "roc_auc": roc,
    "average_precision": ap,
    "labels": labels,
    "confusion": cm.tolist(),
    "accuracy": float(accuracy_score(truth, predicted)),
    "precision": p.tolist(),
    "recall": r.tolist(),
    "f1": f.tolist(),
    "support": s.tolist(),
    "macro_f1": float(f.mean()),
    "ece": float(ece),
}
os.makedirs("fixtures/monitoring", exist_ok=True)
with open("fixtures/monitoring/classification.json", "w") as fh:
    json.dump(out, fh, indent=1)
print(f"wrote fixtures/monitoring/classification.json: {n} outcomes, accuracy {out['accuracy']:.3f}, ECE {ece:.4f}")
