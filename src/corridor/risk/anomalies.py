"""Surges and drops in a monthly or quarterly series: robust seasonal decomposition.

The counts are put on a square-root scale (which steadies the variance of counts: a month of
40 detections varies by a few, one of 40,000 by hundreds), decomposed into trend, seasonal
pattern and remainder by STL with robust weights (Cleveland et al. 1990, statsmodels) and a
trend that follows three years (37 months, 13 quarters), so that a surge of a few months does
not drag the trend and the seasonal pattern along with it (with STL's default trend of about a
year and a half, the months before the 2015 surge came out as "drops"). A period is flagged
when its remainder, as a modified z-score (Iglewicz and Hoaglin: distance from the median in
units of 1.4826 × the median absolute deviation), reaches the threshold, 3.5 by default. The
spread is at least 1 on the square-root scale, so that a series of near-zeros does not flag
every small count. `expected` is what trend and season alone give for the period.

On the Frontex data this flags the 2015 surge on the Eastern Mediterranean and Western
Balkan routes and the rise of 2023 on the Central Mediterranean route (tests/risk)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.errors import InvalidInput
from corridor.risk.series import Series, number

THRESHOLD = 3.5
MIN_SPREAD = 1.0
_SEASON = {"month": 12, "quarter": 4}


@dataclass(frozen=True)
class Anomaly:
    period: str
    value: float
    expected: float
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "value": number(self.value),
            "expected": round(self.expected),
            "score": round(self.score, 2),
        }


def decompose(values: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """(expected values, modified z-scores) of a series of counts."""
    from statsmodels.tsa.seasonal import STL  # imported on first use: a second to load

    root = np.sqrt(np.clip(values, 0, None))
    fit = STL(root, period=season, trend=3 * season + 1, robust=True).fit()
    remainder = np.asarray(fit.resid)
    centre = float(np.median(remainder))
    spread = max(1.4826 * float(np.median(np.abs(remainder - centre))), MIN_SPREAD)
    expected = np.clip(np.asarray(fit.trend) + np.asarray(fit.seasonal), 0, None) ** 2
    return expected, (remainder - centre) / spread


def anomalies(s: Series, *, threshold: float = THRESHOLD, direction: str = "both") -> list[Anomaly]:
    season = _SEASON.get(s.period)
    if season is None:
        raise InvalidInput(
            "period: anomalies are found in monthly or quarterly series (period=month or quarter)",
            field="period",
        )
    if direction not in ("up", "down", "both"):
        raise InvalidInput("direction: one of up, down, both", field="direction")
    if not threshold > 0:
        raise InvalidInput("threshold: a number above 0 (3.5 by default)", field="threshold")
    if len(s.points) < 2 * season + 1:
        raise InvalidInput(
            f"the series has {len(s.points)} {s.period}s; finding anomalies needs more than "
            f"two years ({2 * season + 1})",
            field="period",
        )
    values = np.array([v for _, v in s.points], dtype=float)
    expected, scores = decompose(values, season)
    found = []
    for (label, value), exp, z in zip(s.points, expected, scores, strict=True):
        if (direction != "down" and z >= threshold) or (direction != "up" and z <= -threshold):
            found.append(Anomaly(label, value, float(exp), float(z)))
    return found
