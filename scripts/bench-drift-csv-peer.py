#!/usr/bin/env python3
"""One whole-process peer run for `lumen-bench drift-csv` (timed from outside, imports included):

  evidently REF CUR   Evidently's legacy DataDriftPreset on two CSVs (pandas read_csv), JSON result
  ks REF CUR          pandas read_csv + scipy.stats.ks_2samp on the first column
  wide REF CUR        pandas read_csv + scipy.stats.ks_2samp on every column

Prints one line: the number of drifted columns. Usage: pip install "evidently==0.4.40" pandas scipy.
"""
import sys


def main():
    mode, ref_path, cur_path = sys.argv[1:4]
    import pandas as pd

    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    if mode == "evidently":
        from evidently.metric_preset import DataDriftPreset
        from evidently.report import Report

        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=ref, current_data=cur)
        result = report.as_dict()["metrics"][0]["result"]
        print(result["number_of_drifted_columns"])
    else:
        from scipy import stats

        columns = ref.columns[:1] if mode == "ks" else ref.columns
        print(sum(stats.ks_2samp(ref[c], cur[c]).pvalue < 0.05 for c in columns))


if __name__ == "__main__":
    main()
