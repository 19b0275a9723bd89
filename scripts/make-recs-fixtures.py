#!/usr/bin/env python3
"""Builds fixtures/recs/: a small seeded ratings set (two taste groups) split into train and test,
and numpy references for what Lumen's recommender computes from it:

- user neighbourhoods (top-k by cosine and by mean-centred cosine, positive similarities only),
- explainability weights W (share of neighbours who rated the item; expected neighbour rating),
- the item basis: each item's top-k similar items and W = share of them the user rated,
- for fixed random factors and biases (saved as .npy): clipped predictions, RMSE/MAE on the test
  split, every user's top-10 among unrated items, precision/recall/nDCG@10 (relevant = test
  rating >= 4), MEP@10/MER@10 (explainable = unrated with W > 0), fidelity and coverage.

Usage: python3 scripts/make-recs-fixtures.py
"""
import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "recs"
K, N, FACTORS = 5, 10, 6


def make_ratings(rng, users=60, items=80, per_user=22):
    rows = []
    for u in range(users):
        group = u % 2
        liked = np.arange(items // 2) + group * (items // 2)
        chosen = set()
        while len(chosen) < per_user:
            i = int(rng.choice(liked)) if rng.random() < 0.7 else int(rng.integers(items))
            chosen.add(i)
        for i in sorted(chosen):
            base = 4.0 if (i // (items // 2)) == group else 2.5
            stars = int(np.clip(np.rint(base + rng.normal(0, 0.9)), 1, 5))
            rows.append((f"u{u}", f"m{i}", stars, int(rng.integers(1e9))))
    return rows


def neighbours(R, k, centred):
    X = R.copy()
    if centred:
        for u in range(X.shape[0]):
            mask = X[u] != 0
            X[u, mask] -= X[u, mask].mean()
    norms = np.linalg.norm(X, axis=1)
    S = (X @ X.T) / np.outer(np.where(norms > 0, norms, 1), np.where(norms > 0, norms, 1))
    out = []
    for u in range(X.shape[0]):
        cand = [(S[u, v], v) for v in range(X.shape[0]) if v != u and S[u, v] > 1e-7]
        cand.sort(key=lambda t: (-t[0], t[1]))
        top = cand[:k]
        if len(cand) > k:
            assert abs(cand[k - 1][0] - cand[k][0]) > 1e-5, "tie at the neighbourhood boundary"
        out.append(top)
    return out


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1234)
    rows = make_ratings(rng)
    order = rng.permutation(len(rows))
    cut = int(len(rows) * 0.8)
    train = [rows[i] for i in order[:cut]]
    test = [rows[i] for i in order[cut:]]
    train_users = {r[0] for r in train}
    train_items = {r[1] for r in train}
    test = [r for r in test if r[0] in train_users and r[1] in train_items]
    for name, part in [("train.tsv", train), ("test.tsv", test)]:
        (OUT / name).write_text("".join(f"{u}\t{i}\t{s}\t{t}\n" for u, i, s, t in part))

    # Dense order = first appearance in train.tsv, as Lumen's loader assigns it.
    users, items = [], []
    for u, i, _, _ in train:
        if u not in users:
            users.append(u)
        if i not in items:
            items.append(i)
    uix, iix = {u: n for n, u in enumerate(users)}, {i: n for n, i in enumerate(items)}
    R = np.zeros((len(users), len(items)))
    for u, i, s, _ in train:
        R[uix[u], iix[i]] = s
    rmax = float(R.max())

    ref = {"k": K, "n": N, "users": users, "items": items}
    for name, centred in [("cosine", False), ("pearson", True)]:
        nb = neighbours(R, K, centred)
        ref[f"neighbours_{name}"] = {users[u]: [[users[v], float(s)] for s, v in nb[u]] for u in range(len(users))}
    nb = neighbours(R, K, False)
    share, expected = {}, {}
    for u in range(len(users)):
        nbrs = [v for _, v in nb[u]]
        for i in range(len(items)):
            raters = [v for v in nbrs if R[v, i] != 0]
            if raters:
                share[f"{users[u]}|{items[i]}"] = len(raters) / K
                expected[f"{users[u]}|{items[i]}"] = float(sum(R[v, i] for v in raters) / (K * rmax))
    ref["w_share"], ref["w_expected"] = share, expected

    # Item basis: each item's k most similar items (cosine over users), W = share of them u rated.
    inb = neighbours(R.T, K, False)
    ref["neighbours_items"] = {items[i]: [[items[j], float(s)] for s, j in inb[i]] for i in range(len(items))}
    item_share = {}
    for u in range(len(users)):
        for i in range(len(items)):
            rated = [j for _, j in inb[i] if R[u, j] != 0]
            if rated:
                item_share[f"{users[u]}|{items[i]}"] = len(rated) / K
    ref["w_items_share"] = item_share

    # Fixed factors and biases; metrics as Lumen defines them.
    P = rng.normal(0, 0.5, (len(users), FACTORS)).astype(np.float32)
    Q = rng.normal(0, 0.5, (len(items), FACTORS)).astype(np.float32)
    bu = rng.normal(0, 0.2, len(users)).astype(np.float32)
    bi = rng.normal(0, 0.2, len(items)).astype(np.float32)
    mu = np.float32(R[R != 0].mean())
    for name, arr in [("P", P), ("Q", Q), ("bu", bu), ("bi", bi)]:
        np.save(OUT / f"factors_{name}.npy", arr)
    ref["global_mean"] = float(mu)
    scores = (P.astype(np.float64) @ Q.T.astype(np.float64)) + mu + bu[:, None] + bi[None, :]
    lo, hi = float(R[R != 0].min()), float(R[R != 0].max())
    err = [s - np.clip(scores[uix[u], iix[i]], lo, hi) for u, i, s, _ in test]
    ref["rmse"] = float(np.sqrt(np.mean(np.square(err))))
    ref["mae"] = float(np.mean(np.abs(err)))
    relevant = {}
    for u, i, s, _ in test:
        if s >= 4:
            relevant.setdefault(uix[u], set()).add(iix[i])
    prec, rec, ndcg, mep, mer, cited, total, distinct, tops = [], [], [], [], [], 0, 0, set(), {}
    for u in range(len(users)):
        cand = [i for i in range(len(items)) if R[u, i] == 0]
        top = sorted(cand, key=lambda i: (-scores[u, i], i))[:N]
        tops[users[u]] = [items[i] for i in top]
        nbrs = [v for _, v in nb[u]]
        explainable = {i for i in cand if any(R[v, i] != 0 for v in nbrs)}
        hits_e = sum(1 for i in top if i in explainable)
        mep.append(hits_e / len(top))
        if explainable:
            mer.append(hits_e / len(explainable))
        cited += hits_e
        total += len(top)
        distinct.update(top)
        if u in relevant:
            rel = relevant[u]
            hits = [1 if i in rel else 0 for i in top]
            prec.append(sum(hits) / N)
            rec.append(sum(hits) / len(rel))
            dcg = sum(h / np.log2(r + 2) for r, h in enumerate(hits))
            idcg = sum(1 / np.log2(r + 2) for r in range(min(N, len(rel))))
            ndcg.append(dcg / idcg)
    ref.update(precision=float(np.mean(prec)), recall=float(np.mean(rec)), ndcg=float(np.mean(ndcg)),
               mep=float(np.mean(mep)), mer=float(np.mean(mer)), fidelity=cited / total,
               coverage=len(distinct) / len(items), ranked_users=len(prec), top10=tops,
               rating_min=lo, rating_max=hi)
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: {len(train)} train, {len(test)} test ratings")


if __name__ == "__main__":
    main()
