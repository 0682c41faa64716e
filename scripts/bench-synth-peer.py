#!/usr/bin/env python3
"""The peer of tests/LinqP2P.Benchmarks/SynthBenchmarks.cs: the same Gaussian copula (empirical quantile
marginals, rank normal scores, Cholesky) fitted and sampled with NumPy/SciPy, vectorised, on one core.
Prints JSON: rows per second of sampling and seconds per fit."""
import csv, json, os, sys, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
from scipy.stats import norm, rankdata

def load(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cols = list(zip(*body))
    out = []
    for name, values in zip(header, cols):
        try:
            out.append((name, "num", np.array([float(v) for v in values])))
        except ValueError:
            out.append((name, "cat", np.array(values)))
    return out

def fit(columns):
    n = len(columns[0][2])
    scores, margins = [], []
    for name, kind, v in columns:
        if kind == "num":
            q = np.sort(v)
            margins.append(("num", q, None))
            scores.append(norm.ppf(rankdata(v) / (n + 1)))
        else:
            levels, counts = np.unique(v, return_counts=True)
            p = counts / counts.sum()
            cum = np.cumsum(p)
            mid = norm.ppf(cum - p / 2)
            idx = np.searchsorted(levels, v)
            margins.append(("cat", levels, cum[:-1]))
            scores.append(mid[idx])
    corr = np.corrcoef(np.array(scores))
    w, vec = np.linalg.eigh(corr)
    if w.min() < 1e-6:
        corr = vec @ np.diag(np.maximum(w, 1e-6)) @ vec.T
        d = np.sqrt(np.diag(corr)); corr = corr / np.outer(d, d)
    return margins, np.linalg.cholesky(corr)

def sample(model, rows, rng):
    margins, L = model
    z = rng.standard_normal((rows, L.shape[0])) @ L.T
    u = norm.cdf(z)
    out = []
    for j, (kind, a, b) in enumerate(margins):
        if kind == "num":
            out.append(np.round(np.interp(u[:, j] * (len(a) - 1), np.arange(len(a)), a), 3))
        else:
            out.append(a[np.searchsorted(b, u[:, j], side="right")])
    return out

def main():
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    columns = load(path)
    fits = []
    for _ in range(20):
        t = time.perf_counter(); model = fit(columns); fits.append(time.perf_counter() - t)
    rng = np.random.default_rng(1)
    sample(model, 10_000, rng)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter(); sample(model, rows, rng); best = min(best, time.perf_counter() - t)
    print(json.dumps({"rows_per_second": rows / best, "fit_seconds": float(np.median(fits)),
                      "numpy": np.__version__, "columns": len(columns)}))

if __name__ == "__main__":
    main()
