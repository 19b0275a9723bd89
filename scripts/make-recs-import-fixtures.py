#!/usr/bin/env python3
"""Builds fixtures/recs-import/: factors "trained elsewhere" and numpy references for what
`lumen recs import` and `lumen recs audit` compute from them.

- user_ids.txt / item_ids.txt: ids in a shuffled order (not the order of the ratings file), one per
  line; P.npy [users, 8] and Q.npy [items, 8] float32 in that row order.
- train.tsv / test.tsv: explicit 1-5 ratings (two taste groups), test pairs unseen in train.
- lists-foreign.csv: another system's top-10 (item popularity; for every other user it does not
  filter items the user already rated), rows shuffled, three users without a list.
- reference.json: every user's top-10 by P.Q^T among unrated items (the import round trip), and
  audit figures for the model's own lists and for the foreign lists: P/R/nDCG@10 (relevant = test
  rating >= 4; users with training and a relevant item, a missing list scoring 0), MEP@10 (share
  of a list that is unrated and explainable, over users with a list), MER@10 (over users with an
  explainable unrated item), fidelity (share of listed items with a supporting neighbour),
  coverage, average training popularity of a listed item and the Gini of recommendation counts.
  Explainability uses the item basis: each item's k = 5 most similar items (cosine over users'
  ratings, positive only, ties to the lower index), an item explainable for u when u rated one.

Usage: python3 scripts/make-recs-import-fixtures.py
"""
import importlib.util
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "recs-import"
K, N, FACTORS = 5, 10, 8

spec = importlib.util.spec_from_file_location("recsfix", ROOT / "scripts" / "make-recs-fixtures.py")
recsfix = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recsfix)


def audit(lists, R, relevant, inb, popularity):
    users, items = R.shape
    prec, rec, ndcg, mep, mer = [], [], [], [], []
    cited = total = 0
    times = np.zeros(items, dtype=np.int64)
    pop_sum = 0
    for u in range(users):
        top = lists.get(u)
        explainable = {i for i in range(items) if R[u, i] == 0 and any(R[u, j] != 0 for _, j in inb[i])}
        if top:
            top = top[:N]
            mep.append(sum(1 for i in top if i in explainable) / len(top))
            cited += sum(1 for i in top if any(R[u, j] != 0 for _, j in inb[i]))
            total += len(top)
            for i in top:
                times[i] += 1
                pop_sum += popularity[i]
        if explainable:
            mer.append(sum(1 for i in (top or []) if i in explainable) / len(explainable))
        if u in relevant:
            rel = relevant[u]
            hits = [1 if i in rel else 0 for i in (top or [])]
            prec.append(sum(hits) / N)
            rec.append(sum(hits) / len(rel))
            dcg = sum(h / np.log2(r + 2) for r, h in enumerate(hits))
            idcg = sum(1 / np.log2(r + 2) for r in range(min(N, len(rel))))
            ndcg.append(dcg / idcg)
    c = np.sort(times).astype(np.float64)
    m = len(c)
    gini = float(np.sum((2 * np.arange(1, m + 1) - m - 1) * c) / (m * c.sum()))
    return dict(precision=float(np.mean(prec)), recall=float(np.mean(rec)), ndcg=float(np.mean(ndcg)),
                mep=float(np.mean(mep)), mer=float(np.mean(mer)), fidelity=cited / total,
                coverage=float(np.count_nonzero(times)) / items, average_popularity=pop_sum / total,
                gini=gini, ranked_users=len(prec))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    rows = recsfix.make_ratings(rng, users=50, items=70, per_user=20)
    rows = [(u.replace("u", "user-"), i.replace("m", "item-"), s, t) for u, i, s, t in rows]
    order = rng.permutation(len(rows))
    cut = int(len(rows) * 0.8)
    train = [rows[i] for i in order[:cut]]
    test = [rows[i] for i in order[cut:]]
    users = sorted({r[0] for r in train})
    items = sorted({r[1] for r in train})
    test = [r for r in test if r[0] in users and r[1] in items]
    users = [users[k] for k in rng.permutation(len(users))]
    items = [items[k] for k in rng.permutation(len(items))]
    for name, part in [("train.tsv", train), ("test.tsv", test)]:
        (OUT / name).write_text("".join(f"{u}\t{i}\t{s}\t{t}\n" for u, i, s, t in part))
    (OUT / "user_ids.txt").write_text("".join(u + "\n" for u in users))
    (OUT / "item_ids.txt").write_text("".join(i + "\n" for i in items))
    uix, iix = {u: n for n, u in enumerate(users)}, {i: n for n, i in enumerate(items)}
    R = np.zeros((len(users), len(items)))
    for u, i, s, _ in train:
        R[uix[u], iix[i]] = s
    P = rng.normal(0, 0.5, (len(users), FACTORS)).astype(np.float32)
    Q = rng.normal(0, 0.5, (len(items), FACTORS)).astype(np.float32)
    np.save(OUT / "P.npy", P)
    np.save(OUT / "Q.npy", Q)
    scores = P.astype(np.float64) @ Q.T.astype(np.float64)

    relevant = {}
    for u, i, s, _ in test:
        if s >= 4:
            relevant.setdefault(uix[u], set()).add(iix[i])
    inb = recsfix.neighbours(R.T, K, False)
    popularity = np.count_nonzero(R, axis=0)

    own = {}
    for u in range(len(users)):
        cand = [i for i in range(len(items)) if R[u, i] == 0]
        own[u] = sorted(cand, key=lambda i: (-scores[u, i], i))[:N]
    foreign = {}
    by_pop = sorted(range(len(items)), key=lambda i: (-popularity[i], i))
    skipped = set(rng.choice(len(users), 3, replace=False).tolist())
    for u in range(len(users)):
        if u in skipped:
            continue
        foreign[u] = [i for i in by_pop if u % 2 == 1 or R[u, i] == 0][:N]
    lines = [f"{users[u]},{items[i]},{r + 1}" for u, top in foreign.items() for r, i in enumerate(top)]
    lines = [lines[k] for k in rng.permutation(len(lines))]
    (OUT / "lists-foreign.csv").write_text("user,item,rank\n" + "".join(line + "\n" for line in lines))

    ref = {
        "k": K, "n": N,
        "top10": {users[u]: [items[i] for i in top] for u, top in own.items()},
        "own": audit(own, R, relevant, inb, popularity),
        "foreign": audit(foreign, R, relevant, inb, popularity),
    }
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: {len(train)} train, {len(test)} test ratings; own {ref['own']}; foreign {ref['foreign']}")


if __name__ == "__main__":
    main()
