#!/usr/bin/env python3
"""Fits the rational approximation erf(x) ≈ x·P(x²)/Q(x²) on [0, 4] used by Lumen's vector Erf
(Sources/LumenKernels/VectorActivations.swift) and prints its coefficients and worst errors,
evaluated in float32 as the kernel does, against math.erf.

Usage: python3 scripts/fit-erf.py
"""
import math

import numpy as np

P_DEGREE, Q_DEGREE = 6, 5  # in x²
x = np.cos(np.linspace(0, np.pi, 6000)) * 2 + 2  # Chebyshev-spaced on [0, 4]
x = x[x > 0]
y = np.array([math.erf(v) for v in x])
t = x * x
# Linearised fit: x·P(t) − y·(Q(t) − 1) = y, Q(0) = 1; weighted by 1/y for relative error.
columns = [x * t**k for k in range(P_DEGREE + 1)] + [-y * t**k for k in range(1, Q_DEGREE + 1)]
A = np.stack(columns, axis=1) / y[:, None]
coefficients = np.linalg.lstsq(A, np.ones_like(y), rcond=None)[0]
for _ in range(6):  # iterate reweighting by the current denominator (Loeb's method)
    q = 1 + sum(coefficients[P_DEGREE + k] * t**k for k in range(1, Q_DEGREE + 1))
    coefficients = np.linalg.lstsq(A / q[:, None], np.ones_like(y) / q, rcond=None)[0]
p = coefficients[: P_DEGREE + 1].astype(np.float32)
q = np.concatenate([[1.0], coefficients[P_DEGREE + 1 :]]).astype(np.float32)


def approx(v):
    v = np.float32(v)
    c = np.float32(min(abs(v), 4.0))
    s = c * c
    num = np.float32(0)
    for k in reversed(range(len(p))):
        num = num * s + p[k]
    den = np.float32(0)
    for k in reversed(range(len(q))):
        den = den * s + q[k]
    return math.copysign(min(float(np.float32(c * num / den)), 1.0), v)


grid = np.concatenate([np.linspace(-6, 6, 200001), np.geomspace(1e-8, 1, 2001)])
worst_abs = max(abs(approx(v) - math.erf(v)) for v in grid)
worst_rel = max(abs(approx(v) - math.erf(v)) / abs(math.erf(v)) for v in grid if v != 0)
print("P:", ", ".join(f"{c:.9e}" for c in p))
print("Q:", ", ".join(f"{c:.9e}" for c in q))
print(f"worst absolute error {worst_abs:.3e}, worst relative error {worst_rel:.3e}")
