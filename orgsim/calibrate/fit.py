"""Fits: arrival rates with hour-of-week profiles and bursts, and duration distributions.

Arrivals are modelled as the simulation draws them (:mod:`orgsim.sim.demand`):
a Poisson process whose rate in each hour is ``per_day / 24 x daily[hour] x
weekly[weekday]`` (local time), raised by a burst's multiplier on burst days.
The profiles are fitted by alternating the two margins (iterative
proportional fitting), the rate is the maximum-likelihood Poisson rate given
the profiles, with an exact (chi-square) 95% interval.

Durations (effort, handling, response times) are fitted by maximum likelihood
with :mod:`scipy.stats`; items still open at export time are right-censored
observations (:class:`scipy.stats.CensoredData`), so they pull the fitted
mean up as they should instead of being dropped (dropping them biases every
mean towards the quick cases).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

__all__ = ["ArrivalFit", "BurstFit", "DurationFit", "fit_arrivals", "fit_duration"]

#: fewer arrivals than this leave the hour-of-day profile at its default:
#: below ~4 per hour of the day the weights are mostly noise (assumption)
MIN_FOR_DAILY = 100
#: fewer than this, or a weekday never seen, leave the weekly profile at its default
MIN_FOR_WEEKLY = 50
#: a day is a burst when its count is above the Poisson 99.9% quantile of the
#: fitted expectation and at least this many times it (a launch doubles traffic;
#: ordinary Monday peaks stay below) — and the expectation is at least 5 a day
BURST_RATIO, BURST_QUANTILE, BURST_MIN_EXPECTED = 1.5, 0.999, 5.0
#: fewer durations than this leave a distribution at its default
MIN_FOR_DURATION = 8
#: durations whose coefficient of variation is below this are one fixed time (a log rounding every
#: handling time to 15 minutes, a scripted step): no spread to fit, and the fits fail on none
MIN_CV = 1e-3


@dataclass
class BurstFit:
    start_day: int  #: first day of the burst on the scenario clock (UTC days from run.start_date)
    days: int
    multiplier: float
    observed: int
    expected: float


@dataclass
class ArrivalFit:
    """One source's arrivals over the window."""

    n: int  #: arrivals in the window
    days: float  #: length of the window
    per_day: float  #: fitted average outside bursts
    ci: tuple[float, float]  #: exact 95% interval of per_day
    daily: tuple[float, ...] | None  #: 24 weights (mean 1), or None: too few to fit
    weekly: tuple[float, ...] | None  #: 7 weights (mean 1), or None
    bursts: list[BurstFit] = field(default_factory=list)
    dispersion: float = float("nan")  #: daily counts' chi-square / df against the fit (Poisson: about 1)
    dispersion_p: float = float("nan")
    exposure: float = 0.0  #: expected-weighted days outside bursts (the rate's denominator)


def _buckets(start: float, end: float, offset: float, weekday0: int) -> tuple[np.ndarray, ...]:
    """Hour buckets of the window: start, exposure (hours), local hour, local weekday, clock day."""
    k = np.arange(np.floor(start), np.ceil(end))
    lo, hi = np.maximum(k, start), np.minimum(k + 1, end)
    local = k + offset
    hour = np.floor(local % 24).astype(int)
    day = np.floor(local / 24).astype(int)
    weekday = (day + weekday0) % 7
    # bursts are days on the scenario clock (UTC), as the simulation applies them
    return k, hi - lo, hour, weekday, np.floor(k / 24).astype(int)


def fit_arrivals(times: np.ndarray, start: float, end: float, offset: float, weekday0: int,
                 daily_default: tuple[float, ...], weekly_default: tuple[float, ...],
                 detect_bursts: bool = True, candidates: Sequence[tuple[int, int]] = (),
                 min_burst: float = 0.0) -> ArrivalFit:
    """Fit rate, profiles and bursts of arrival ``times`` (hours, UTC clock) in ``[start, end)``.

    ``offset`` is local time minus UTC in hours; ``weekday0`` the weekday
    (Monday 0) of clock day 0 in local time. ``candidates`` are bursts found
    elsewhere (``(start_day, days)``, a launch seen on the channels): a source
    too small to show a burst on its own joins one when its count on those
    days is at least :data:`BURST_RATIO` times the expectation and
    significantly above it (Poisson, p < 0.01). A burst must bring at least
    ``min_burst`` arrivals above the expectation (crawl artefacts in a sparse
    sample pass the ratio tests with a handful of extra posts).

    >>> rng = np.random.default_rng(1)
    >>> f = fit_arrivals(np.sort(rng.uniform(0, 24 * 28, 2800)), 0, 24 * 28, 0, 0, (1.0,) * 24, (1.0,) * 7)
    >>> round(f.per_day)
    100
    """
    k, expo, hour, weekday, day = _buckets(start, end, offset, weekday0)
    counts = np.histogram(times, bins=np.append(k, k[-1] + 1))[0].astype(float)
    keep = np.ones(len(k), bool)
    n = int(counts.sum())
    fit_d, fit_w = n >= MIN_FOR_DAILY, n >= MIN_FOR_WEEKLY
    bursts: list[BurstFit] = []
    # Pass 1 (burst search) keeps the default weekly shape and takes the lower
    # quartile of the days as the level, so a launch cannot hide in a fitted
    # weekday weight or a raised rate; pass 2 fits everything without the burst days.
    for search in ((True, False) if detect_bursts else (False,)):
        sel = keep & (expo > 0)
        seen_days = np.bincount(weekday[sel], weights=expo[sel], minlength=7)
        use_w = not search and fit_w and bool((seen_days >= 24).all())
        d, w = np.asarray(daily_default, float), np.asarray(weekly_default, float)
        d, w = d / d.mean(), w / w.mean()
        for _ in range(8 if use_w else 1):
            if fit_d:
                num = np.bincount(hour[sel], weights=counts[sel], minlength=24)
                den = np.bincount(hour[sel], weights=(expo * w[weekday])[sel], minlength=24)
                d = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
                d = d / d.mean() if d.sum() > 0 else np.ones(24)
            if use_w:
                num = np.bincount(weekday[sel], weights=counts[sel], minlength=7)
                den = np.bincount(weekday[sel], weights=(expo * d[hour])[sel], minlength=7)
                w = num / den
                w = w / w.mean() if w.sum() > 0 else np.ones(7)
        weight = expo * d[hour] * w[weekday] / 24  # expected arrivals per unit of per_day
        exposure = float(weight[sel].sum())
        per_day = counts[sel].sum() / exposure if exposure > 0 else 0.0
        unit_day = np.bincount(day, weights=weight)
        obs_day = np.bincount(day, weights=counts)
        if not search:
            exp_day = unit_day * per_day
            break
        whole = np.bincount(day, weights=expo) >= 24
        # the lower quartile of the days: a launch may fill up to three quarters of a short export
        level = float(np.quantile(obs_day[whole] / np.maximum(unit_day[whole], 1e-9), 0.25)) if whole.any() else per_day
        exp_day = unit_day * level
        hot = ((exp_day >= BURST_MIN_EXPECTED) & (obs_day >= BURST_RATIO * exp_day)
               & (obs_day > stats.poisson.ppf(BURST_QUANTILE, np.maximum(exp_day, 1e-9))))
        for first, days in candidates:
            span = slice(first, first + days)
            o, e = obs_day[span].sum(), exp_day[span].sum()
            if not hot[span].any() and e > 0 and o >= BURST_RATIO * e and stats.poisson.sf(o - 1, e) < 0.01:
                hot[span] = True
        for first, last in _runs(np.flatnonzero(hot)):
            o, e = obs_day[first:last + 1].sum(), exp_day[first:last + 1].sum()
            if o - e < min_burst:
                hot[first:last + 1] = False
                continue
            bursts.append(BurstFit(int(first), int(last - first + 1), float(o / e), int(o), float(e)))
        keep = ~hot[day]
    for b in bursts:  # the multiplier against the final fit
        b.expected = float(exp_day[b.start_day:b.start_day + b.days].sum())
        b.multiplier = b.observed / b.expected if b.expected > 0 else float("nan")
    quiet = np.bincount(day, weights=keep * expo) >= 24  # whole days outside bursts
    e, o = exp_day[quiet], obs_day[quiet]
    chi2 = float(((o - e) ** 2 / np.where(e > 0, e, 1)).sum())
    df = max(int(quiet.sum()) - 1, 1)
    inside = int(counts[keep].sum())
    lo = stats.chi2.ppf(0.025, 2 * inside) / 2 if inside > 0 else 0.0
    hi = stats.chi2.ppf(0.975, 2 * inside + 2) / 2
    return ArrivalFit(
        n=n, days=(end - start) / 24, per_day=per_day,
        ci=(lo / exposure, hi / exposure) if exposure > 0 else (0.0, float("inf")),
        daily=tuple(np.round(d, 3)) if fit_d else None,
        weekly=tuple(np.round(w, 3)) if use_w else None,
        bursts=bursts, dispersion=chi2 / df, dispersion_p=float(stats.chi2.sf(chi2, df)), exposure=exposure,
    )


def _runs(idx: np.ndarray) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in idx:
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], int(i))
        else:
            out.append((int(i), int(i)))
    return out


@dataclass
class DurationFit:
    """A duration distribution fitted by maximum likelihood, censoring included."""

    dist: str  #: "lognormal", "gamma" or "exponential" (the scenario's names)
    mean: float
    cv: float
    n: int  #: observations, open ones included
    open: int  #: right-censored (still open at export)
    ks_p: float  #: Kolmogorov-Smirnov p of the closed items against the fit (only without censoring)
    sample_mean_ci: tuple[float, float]  #: 95% t-interval of the plain mean (only without censoring)
    km_median: float  #: Kaplan-Meier median (inf if more than half are open)

    def as_yaml(self) -> dict[str, object]:
        if self.dist in ("exponential", "fixed"):
            return {"dist": self.dist, "mean": _sig(self.mean)}
        return {"dist": self.dist, "mean": _sig(self.mean), "cv": _sig(self.cv)}

    def comment(self, unit: str) -> str:
        text = f"n={self.n}"
        if self.open:
            text += f" ({self.open} open at export, censored MLE)"
        text += f"; mean {self.mean:.3g} {unit}"
        if self.open == 0 and np.isfinite(self.ks_p):
            text += f", 95% CI of the sample mean {self.sample_mean_ci[0]:.3g}-{self.sample_mean_ci[1]:.3g}; KS p={self.ks_p:.2f}"
        return text


def _sig(x: float) -> float:
    return float(f"{x:.3g}")


def fit_duration(closed: np.ndarray, open_ages: np.ndarray | None = None,
                 candidates: tuple[str, ...] = ("lognormal", "gamma", "exponential")) -> DurationFit | None:
    """Fit durations; ``open_ages`` are how long the still-open items had been open at export.

    Returns ``None`` below :data:`MIN_FOR_DURATION` closed items. The best of
    the candidates by likelihood wins (the exponential is the gamma with cv 1,
    so it wins only on a tie).

    >>> rng = np.random.default_rng(0)
    >>> t = rng.exponential(5.0, 4000)
    >>> f = fit_duration(np.minimum(t, 6)[t < 6], np.full((t >= 6).sum(), 6.0), ("exponential",))
    >>> round(f.mean, 1), round(float(t[t < 6].mean()), 1)
    (5.1, 2.4)
    """
    closed = np.asarray(closed, float)
    closed = closed[np.isfinite(closed)]
    closed = np.maximum(closed, 1e-6)  # a zero breaks the lognormal; a second is as good as zero
    right = np.maximum(np.asarray(open_ages if open_ages is not None else [], float), 1e-6)
    if len(closed) < MIN_FOR_DURATION:
        return None
    spread = float(np.std(np.concatenate([closed, right]))) / max(float(np.mean(np.concatenate([closed, right]))), 1e-12)
    if spread < MIN_CV:
        m = float(closed.mean())
        return DurationFit("fixed", m, 0.0, len(closed) + len(right), len(right), float("nan"), (m, m), m)
    data = stats.CensoredData(uncensored=closed, right=right) if len(right) else closed
    best: tuple[float, str, float, float] | None = None
    for name in candidates:
        try:
            fitted = _fit_one(name, data, closed, right)
        except (ValueError, RuntimeError, FloatingPointError, ZeroDivisionError):  # the optimiser gave up on this shape
            continue
        if best is None or fitted[0] > best[0]:
            best = fitted
    if best is None:  # no shape could be fitted: the moments of the closed items, as a lognormal
        m, sd = float(closed.mean()), float(closed.std(ddof=1))
        best = (float("nan"), "lognormal", m, sd / m)
    return _finish(best, closed, right, data)


def _fit_one(name: str, data: Any, closed: np.ndarray, right: np.ndarray) -> tuple[float, str, float, float]:
    """(log-likelihood, name, mean, cv) of one candidate's maximum-likelihood fit."""
    with np.errstate(all="ignore"):
        if name == "lognormal":
            s, _, scale = stats.lognorm.fit(data, floc=0)
            ll = _loglik(stats.lognorm(s, 0, scale), closed, right)
            mean, cv = scale * np.exp(s**2 / 2), np.sqrt(np.expm1(s**2))
        elif name == "gamma":
            a, _, scale = stats.gamma.fit(data, floc=0)
            ll = _loglik(stats.gamma(a, 0, scale), closed, right)
            mean, cv = a * scale, 1 / np.sqrt(a)
        else:
            _, scale = stats.expon.fit(data, floc=0)
            ll = _loglik(stats.expon(0, scale), closed, right) - 1e-9
            mean, cv = scale, 1.0
    if not (np.isfinite(ll) and np.isfinite(mean) and np.isfinite(cv) and mean > 0):
        raise ValueError(f"{name}: no finite fit")
    return float(ll), name, float(mean), float(cv)


def _finish(best: tuple[float, str, float, float], closed: np.ndarray, right: np.ndarray, data: Any) -> DurationFit:
    """The chosen fit, with the Kolmogorov-Smirnov p, the sample mean's interval and the Kaplan-Meier median."""
    _, name, mean, cv = best
    frozen = {"lognormal": lambda: stats.lognorm(np.sqrt(np.log1p(cv**2)), 0, mean / np.sqrt(1 + cv**2)),
              "gamma": lambda: stats.gamma(1 / cv**2, 0, mean * cv**2),
              "exponential": lambda: stats.expon(0, mean)}[name]()
    ks_p, ci = float("nan"), (float("nan"), float("nan"))
    if not len(right):
        ks_p = float(stats.kstest(closed, frozen.cdf).pvalue)
        ci = tuple(float(x) for x in stats.t.interval(0.95, len(closed) - 1, closed.mean(), stats.sem(closed)))  # type: ignore[assignment]
    km = stats.ecdf(data) if len(right) else stats.ecdf(closed)
    q = km.sf.quantiles[km.sf.probabilities <= 0.5]
    return DurationFit(name, mean, cv, len(closed) + len(right), len(right), ks_p, ci,  # type: ignore[arg-type]
                       float(q[0]) if len(q) else float("inf"))


def _loglik(dist: stats.rv_continuous, closed: np.ndarray, right: np.ndarray) -> float:
    return float(dist.logpdf(closed).sum() + (dist.logsf(right).sum() if len(right) else 0.0))
