#!/usr/bin/env python3
"""The Python peers for `lumen-bench recs` on MovieLens-100k: scikit-surprise SVD (biased MF in
Cython) and cornac MF, both 10 epochs with 80 factors, timed in the same run. Prints JSON.
(recoxplainer's EMF, the notes' 16.6 s/epoch anchor, is not on PyPI.)
Usage: pip install scikit-surprise cornac; run through `lumen-bench recs`.
"""
import argparse
import json
import time


def load(path):
    rows = []
    with open(path) as f:
        header = f.readline()
        if ":token" not in header:
            f.seek(0)
        for line in f:
            parts = line.split("\t")
            if len(parts) >= 3:
                rows.append((parts[0], parts[1], float(parts[2])))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", required=True)
    args = parser.parse_args()
    rows = load(args.ratings)
    result, names = {}, []
    try:
        import tempfile

        from surprise import SVD, Dataset, Reader

        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as tmp:
            tmp.write("".join(f"{u}\t{i}\t{r}\n" for u, i, r in rows))
        reader = Reader(line_format="user item rating", sep="\t", rating_scale=(1, 5))
        data = Dataset.load_from_file(tmp.name, reader=reader).build_full_trainset()
        start = time.perf_counter()
        SVD(n_factors=80, n_epochs=10, random_state=0).fit(data)
        result["surprise_svd_10_epochs_s"] = time.perf_counter() - start
        names.append("scikit-surprise SVD")
    except ImportError:
        pass
    try:
        import cornac

        start = time.perf_counter()
        cornac.models.MF(k=80, max_iter=10, use_bias=True, verbose=False, seed=0).fit(
            cornac.data.Dataset.from_uir(rows, seed=0))
        result["cornac_mf_10_epochs_s"] = time.perf_counter() - start
        names.append("cornac MF")
    except ImportError:
        pass
    result["peer"] = ", ".join(names) or "none installed"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
