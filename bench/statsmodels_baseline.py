"""The statsmodels reference for bench/baselines.sh: per series, robust STL and a Tukey-bisquare RLM
on the same design as trailwatch's baseline (intercept, linear trend in days, daily Fourier order 4,
weekly Fourier order 3), timed per series.

    python3 bench/statsmodels_baseline.py DIR/series-*.csv   ->  one JSON line
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from statsmodels.robust.norms import TukeyBiweight
from statsmodels.robust.robust_linear_model import RLM
from statsmodels.tsa.seasonal import STL


def design(times_ms):
    t = np.asarray(times_ms, dtype=np.int64)
    day, week = 86_400_000, 7 * 86_400_000
    mid = t[0] + (t[-1] - t[0]) // 2
    cols = [np.ones(len(t)), (t - mid) / day]
    dp = 2 * np.pi * (t % day) / day
    wp = 2 * np.pi * (t % week) / week
    cols += [f(k * dp) for k in range(1, 5) for f in (np.sin, np.cos)]
    cols += [f(k * wp) for k in range(1, 4) for f in (np.sin, np.cos)]
    return np.column_stack(cols)


def main(paths):
    stl_s, rlm_s = [], []
    for p in paths:
        df = pd.read_csv(p)
        times = pd.to_datetime(df["timestamp"], utc=True).astype("int64") // 1_000_000
        y = df["value"].to_numpy(dtype=float)
        x = design(times.to_numpy())
        start = time.perf_counter()
        STL(y, period=288, robust=True).fit()
        stl_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        RLM(y, x, M=TukeyBiweight()).fit()
        rlm_s.append(time.perf_counter() - start)
    print(json.dumps({"series": len(paths), "stlSecondsPerSeries": float(np.median(stl_s)),
                      "rlmSecondsPerSeries": float(np.median(rlm_s)), "stl": stl_s, "rlm": rlm_s}))


if __name__ == "__main__":
    main(sys.argv[1:])
