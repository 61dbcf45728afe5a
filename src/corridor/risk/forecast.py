"""Short-term forecasts of a monthly or quarterly series, with intervals and their back-test.

The model is exponential smoothing with an additive seasonal pattern and no trend, ETS(A,N,A),
fitted (statsmodels) to log(1 + count): counts stay positive, a change is relative (a route of
200 crossings a month and one of 20,000 move alike in proportion), and the interval is the
model's own, wider upwards than downwards once taken back to counts. The point forecast is the
median. The model was chosen among seasonal naive, naive, ETS(A,N,A) and ETS(A,Ad,A) on the log
and square-root scales, on Frontex routes with forecasts made from 2019-2022; it was then
measured on the 36 origins after (bench/risk, RESULTS.md).

Every forecast says how the same method did on the series itself: forecasts made from each of
the last `BACKTEST` origins (fewer when the series is shorter: each fit gets two years at
least) for the horizon asked, scored by the mean absolute scaled error (MASE: mean absolute
error divided by the in-sample mean absolute seasonal difference, Hyndman and Koehler 2006)
beside that of the seasonal naive forecast (the value of a year before)."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.errors import InvalidInput
from corridor.risk.series import Series

# Three years of origins: fewer and one unusual year decides the comparison.
BACKTEST = 36
MAX_HORIZON = 24
_SEASON = {"month": 12, "quarter": 4}


@dataclass(frozen=True)
class Forecast:
    method: str
    level: float
    # (period, median, lower, upper)
    points: list[tuple[str, float, float, float]]
    backtest: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "level": self.level,
            "items": [
                {"period": p, "value": round(v), "lower": round(lo), "upper": round(hi)}
                for p, v, lo, hi in self.points
            ],
            "backtest": self.backtest,
        }


def _fit(values: np.ndarray, season: int, start: Any = None) -> Any:
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # A plain index: statsmodels' prediction results need a pandas one.
    y = pd.Series(np.log1p(np.clip(values, 0, None)), index=pd.RangeIndex(len(values)))
    with warnings.catch_warnings():
        # Convergence notes of the optimiser on short or flat series: the fit is still used.
        warnings.simplefilter("ignore")
        return ETSModel(y, error="add", trend=None, seasonal="add", seasonal_periods=season).fit(
            disp=False
        )


def predict(values: np.ndarray, season: int, horizon: int, level: float) -> np.ndarray:
    """Rows of (median, lower, upper) for the next `horizon` periods."""
    fit = _fit(values, season)
    n = len(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = fit.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=1 - level)
    out = np.expm1(np.asarray(frame[["mean", "pi_lower", "pi_upper"]].to_numpy(), dtype=float))
    return np.asarray(np.clip(out, 0, None))


def mase(values: np.ndarray, season: int, horizon: int, origins: int = BACKTEST) -> dict[str, Any]:
    """The back-test: forecasts from each of the last `origins` origins, `horizon` ahead."""
    model_errors: list[float] = []
    naive_errors: list[float] = []
    start: Any = None
    n = len(values)
    for origin in range(n - horizon - max(origins, 0) + 1, n - horizon + 1):
        train, actual = values[:origin], values[origin : origin + horizon]
        scale = float(np.mean(np.abs(train[season:] - train[:-season])))
        if scale == 0:
            continue
        # Each origin's fit starts from the one before (a third faster, the same forecasts
        # to a fraction of a count); the back-test needs the median only.
        fit = _fit(train, season, start)
        start = fit.params
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecast = np.clip(np.expm1(np.asarray(fit.forecast(horizon), dtype=float)), 0, None)
        naive = np.array([train[origin - season + (i % season)] for i in range(horizon)])
        model_errors.append(float(np.mean(np.abs(forecast - actual))) / scale)
        naive_errors.append(float(np.mean(np.abs(naive - actual))) / scale)
    if not model_errors:
        return {"origins": 0, "horizon": horizon, "mase": None, "mase_seasonal_naive": None}
    return {
        "origins": len(model_errors),
        "horizon": horizon,
        "mase": round(float(np.mean(model_errors)), 3),
        "mase_seasonal_naive": round(float(np.mean(naive_errors)), 3),
    }


def _next_periods(last: str, period: str, horizon: int) -> list[str]:
    if period == "month":
        year, month = int(last[:4]), int(last[5:7])
        index = year * 12 + month - 1
        return [f"{(index + i) // 12}-{(index + i) % 12 + 1:02d}" for i in range(1, horizon + 1)]
    year, quarter = int(last[:4]), int(last[-1])
    index = year * 4 + quarter - 1
    return [f"{(index + i) // 4}-Q{(index + i) % 4 + 1}" for i in range(1, horizon + 1)]


# The back-test fits the model up to 37 times (about a second): a forecast is kept until its
# dataset is imported again (the key holds the dataset's import time).
_made: OrderedDict[tuple[Any, ...], Forecast] = OrderedDict()
KEPT = 256


def forecast(s: Series, *, horizon: int = 6, level: float = 0.8) -> Forecast:
    key = (s.filter, s.dataset.id, s.dataset.imported_at, s.period,
           s.points[-1][0] if s.points else None, len(s.points), horizon, level)  # fmt: skip
    made = _made.get(key)
    if made is None:
        made = _forecast(s, horizon=horizon, level=level)
        _made[key] = made
        while len(_made) > KEPT:
            _made.popitem(last=False)
    return made


def _forecast(s: Series, *, horizon: int, level: float) -> Forecast:
    season = _SEASON.get(s.period)
    if season is None:
        raise InvalidInput(
            "period: forecasts are made for monthly or quarterly series", field="period"
        )
    if not 1 <= horizon <= MAX_HORIZON:
        raise InvalidInput(f"horizon: 1 to {MAX_HORIZON} periods", field="horizon")
    if not 0.5 <= level < 1:
        raise InvalidInput("level: an interval's coverage from 0.5 to 0.99", field="level")
    values = np.array([v for _, v in s.points], dtype=float)
    if len(values) < 2 * season + 1:
        raise InvalidInput(
            f"the series has {len(values)} {s.period}s; a forecast needs more than two years "
            f"({2 * season + 1})",
            field="period",
        )
    rows = predict(values, season, horizon, level)
    labels = _next_periods(s.points[-1][0], s.period, horizon)
    return Forecast(
        method="ETS(A,N,A) on log(1 + count)",
        level=level,
        points=[
            (p, float(r[0]), float(r[1]), float(r[2])) for p, r in zip(labels, rows, strict=True)
        ],
        # As many origins as leave two years to fit on, up to BACKTEST.
        backtest=mase(values, season, horizon, min(BACKTEST, len(values) - horizon - 2 * season)),
    )
