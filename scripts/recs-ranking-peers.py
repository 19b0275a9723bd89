#!/usr/bin/env python3
"""Ranking peers for issue-16 comparisons: a random 80/20 split of a ratings file (written out so
Lumen trains and evaluates on exactly the same rows), popularity, implicit ALS (ratings as
confidence, library defaults) and cornac BPR, with P/R/nDCG@n, MEP@n (user-based share of the k
nearest users by cosine on training interactions, unrated items only), coverage, average popularity
and Gini of the lists, all computed here in numpy. Writes each peer's lists as `user,item,rank` CSV.

Usage:
  python3 scripts/recs-ranking-peers.py --ratings data/ml-100k/ml-100k.inter --out data/ml-100k/split
Prints JSON: {model: {precision, recall, ndcg, mep, coverage, avg_popularity, gini, train_s}}.
Needs numpy, scipy, implicit, cornac (pip).
"""
import argparse
import json
import os
import time

import numpy as np
import scipy.sparse as sp


def load(path):
    users, items, ratings = [], [], []
    with open(path) as f:
        for line_no, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            if line_no == 0 and ":token" in line:
                continue
            if len(parts) < 3:
                continue
            users.append(parts[0])
            items.append(parts[1])
            ratings.append(float(parts[2]))
    return users, items, np.array(ratings, dtype=np.float64)


def split(n, seed, fraction):
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    cut = int(round(n * fraction))
    return order[cut:], order[:cut]


def neighbours(train, k):
    """k nearest users by cosine of binary training rows (self excluded, positive similarity)."""
    binary = (train > 0).astype(np.float64)
    norms = np.sqrt(np.asarray(binary.multiply(binary).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    normed = sp.diags(1 / norms) @ binary
    sim = (normed @ normed.T).toarray()
    np.fill_diagonal(sim, 0)
    out = []
    for row in sim:
        idx = np.argsort(-row, kind="stable")[:k]
        out.append(idx[row[idx] > 0])
    return out


def metrics(lists, train, test_relevant, nbrs, n, popularity):
    binary = (train > 0).tocsr()
    p, r, nd, mep = [], [], [], []
    recommended = []
    for u, top in enumerate(lists):
        top = list(top)[:n]
        if len(top) == 0:
            continue
        recommended.extend(top)
        nb = nbrs[u]
        if len(nb):
            explainable = set(np.nonzero(np.asarray(binary[nb].sum(axis=0)).ravel())[0]) - set(binary[u].indices)
        else:
            explainable = set()
        mep.append(sum(1 for i in top if i in explainable) / len(top))
        rel = test_relevant.get(u)
        if rel:
            hits = [1 if i in rel else 0 for i in top]
            p.append(sum(hits) / n)
            r.append(sum(hits) / len(rel))
            dcg = sum(h / np.log2(k + 2) for k, h in enumerate(hits))
            ideal = sum(1 / np.log2(k + 2) for k in range(min(n, len(rel))))
            nd.append(dcg / ideal)
    counts = np.bincount(np.array(recommended), minlength=train.shape[1]).astype(np.float64)
    sorted_counts = np.sort(counts)
    m = len(sorted_counts)
    gini = float((2 * np.arange(1, m + 1) - m - 1).dot(sorted_counts) / (m * sorted_counts.sum()))
    return {
        "precision": float(np.mean(p)), "recall": float(np.mean(r)), "ndcg": float(np.mean(nd)),
        "mep": float(np.mean(mep)), "coverage": float((counts > 0).sum() / train.shape[1]),
        "avg_popularity": float(np.mean(popularity[np.array(recommended)])), "gini": gini,
        "ranked_users": len(nd),
    }


def top_n(scores, train_row_items, n):
    scores = scores.copy()
    scores[train_row_items] = -np.inf
    idx = np.argpartition(-scores, n)[:n]
    return idx[np.argsort(-scores[idx], kind="stable")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratings", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--relevant", type=float, default=4)
    ap.add_argument("--models", default="popularity,als,bpr")
    ap.add_argument("--repeats", type=int, default=1, help="fit each model this often; train_s is the fastest")
    args = ap.parse_args()
    users, items, ratings = load(args.ratings)
    tr, te = split(len(ratings), args.seed, args.test_fraction)
    os.makedirs(args.out, exist_ok=True)
    for name, idx in (("train.tsv", tr), ("test.tsv", te)):
        with open(os.path.join(args.out, name), "w") as f:
            f.write("".join(f"{users[k]}\t{items[k]}\t{ratings[k]:g}\n" for k in sorted(idx)))
    uids = {u: k for k, u in enumerate(sorted(set(users[k] for k in tr)))}
    iids = {i: k for k, i in enumerate(sorted(set(items[k] for k in tr)))}
    ui = np.array([uids[users[k]] for k in tr])
    ii = np.array([iids[items[k]] for k in tr])
    train = sp.csr_matrix((ratings[tr], (ui, ii)), shape=(len(uids), len(iids)))
    relevant = {}
    for k in te:
        u, i = uids.get(users[k]), iids.get(items[k])
        if u is not None and i is not None and ratings[k] >= args.relevant:
            relevant.setdefault(u, set()).add(i)
    nbrs = neighbours(train, args.k)
    popularity = np.asarray((train > 0).sum(axis=0)).ravel().astype(np.float64)
    inv_u = {v: k for k, v in uids.items()}
    inv_i = {v: k for k, v in iids.items()}
    results = {}

    def finish(name, lists, seconds):
        results[name] = metrics(lists, train, relevant, nbrs, args.n, popularity)
        results[name]["train_s"] = seconds
        with open(os.path.join(args.out, f"lists-{name}.csv"), "w") as f:
            f.write("user,item,rank\n")
            for u, top in enumerate(lists):
                f.write("".join(f"{inv_u[u]},{inv_i[int(i)]},{r + 1}\n" for r, i in enumerate(top)))

    wanted = args.models.split(",")
    if "popularity" in wanted:
        start = time.perf_counter()
        lists = [top_n(popularity, train[u].indices, args.n) for u in range(train.shape[0])]
        finish("popularity", lists, time.perf_counter() - start)
    if "als" in wanted:
        import implicit
        from threadpoolctl import threadpool_limits
        seconds = float("inf")
        with threadpool_limits(1, "blas"):
            for _ in range(max(args.repeats, 1)):
                model = implicit.als.AlternatingLeastSquares(random_state=0)
                start = time.perf_counter()
                model.fit(train, show_progress=False)
                seconds = min(seconds, time.perf_counter() - start)
        ids, _ = model.recommend(np.arange(train.shape[0]), train, N=args.n, filter_already_liked_items=True)
        finish("implicit_als", [row for row in ids], seconds)
        np.save(os.path.join(args.out, "als_user_factors.npy"), np.asarray(model.user_factors, dtype=np.float32))
        np.save(os.path.join(args.out, "als_item_factors.npy"), np.asarray(model.item_factors, dtype=np.float32))
        with open(os.path.join(args.out, "als_user_ids.txt"), "w") as f:
            f.write("".join(f"{inv_u[u]}\n" for u in range(len(inv_u))))
        with open(os.path.join(args.out, "als_item_ids.txt"), "w") as f:
            f.write("".join(f"{inv_i[i]}\n" for i in range(len(inv_i))))
    if "bpr" in wanted:
        import cornac
        rows = [(str(ui[k]), str(ii[k]), float(ratings[tr][k])) for k in range(len(tr))]
        dataset = cornac.data.Dataset.build(rows, fmt="UIR", seed=0)
        seconds = float("inf")
        for _ in range(max(args.repeats, 1)):
            model = cornac.models.BPR(k=50, max_iter=200, learning_rate=0.01, lambda_reg=0.01, seed=0, verbose=False)
            start = time.perf_counter()
            model.fit(dataset)
            seconds = min(seconds, time.perf_counter() - start)
        lists = []
        for u in range(train.shape[0]):
            inner = dataset.uid_map[str(u)]
            scores_inner = model.score(inner)
            scores = np.full(train.shape[1], -np.inf)
            for raw, inner_i in dataset.iid_map.items():
                scores[int(raw)] = scores_inner[inner_i]
            lists.append(top_n(scores, train[u].indices, args.n))
        finish("cornac_bpr", lists, seconds)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
