"""Numbers that come out the same on every CPU: the engine's rule, and the grid that keeps it.

The same seed must give the same bits on any machine, or an analyst who sends a scenario and a seed to a
colleague gets other numbers. Two things pick code by the CPU at run time and round the last bit
differently on some inputs:

- **numpy's SIMD kernels.** Its transcendental ufuncs (``log``, ``exp``, ``log1p``, ``expm1``, ``power``,
  ``tan``, the hyperbolic and inverse functions) have AVX-512 float64 kernels that differ from the AVX2 and
  baseline paths; ``tanh`` and float32 ``log`` differ between AVX2 and the baseline. Measured with numpy 2.4
  by setting ``NPY_DISABLE_CPU_FEATURES``; that applies to a Python float passed to ``np.log`` too.
  Arithmetic (``+ - * /``), ``sqrt``, ``floor``/``rint``, sorting, ``cumsum``, ``np.sum``/``np.mean``
  (numpy's fixed pairwise order) and percentiles gave the same bits at every level.
- **libm's variants.** glibc loads an FMA build or an SSE2 build of ``exp``, ``log``, ``log1p`` and ``pow``
  by the CPU; they differ on 0.03-0.12% of inputs (glibc 2.36, 300,000 inputs each, the SSE2 build forced
  with ``GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,...``), and other systems ship other libms. numpy's
  ``Generator`` calls libm inside its samplers: every lognormal draw is an ``exp``, a gamma draw with shape
  below 1 a ``pow``, and the exponential's rare tail a ``log1p``.

A last bit that reaches an event time can flip the order of two nearly tied events, and the run diverges from
there. So, in everything that feeds an event time, a draw or a routing decision:

1. no numpy transcendental ufunc: scalar parameters go through :mod:`math`, arrays through ``Generator``
   methods or exact arithmetic;
2. every duration drawn through libm (the exponential, lognormal and gamma samplers, and the insight layer's
   ``-log1p(-u)`` delays) is rounded to :data:`GRID` hours by :func:`on_grid`. Two libms that differ in the
   last bit then give the same duration unless the exact value lies within that bit of a grid midpoint:
   about one chance in 2**32 for an hour-long duration (its last bit is 2**-52 h, the grid 2**-20 h), so
   about one draw in 10**12 (times the 0.1% of inputs on which the libms differ) can still differ.

Fixed, uniform and triangular durations, arrival times (an hour plus a uniform draw), branch coins and
routing use exact arithmetic only and are left as drawn. ``tests/test_fingerprint.py`` runs the stored
fingerprints at every numpy SIMD level this CPU offers and with glibc's SSE2 libm.
"""

from __future__ import annotations

from typing import overload

import numpy as np

__all__ = ["GRID", "on_grid"]

#: the resolution of drawn durations, in hours: 2**-20 h is 3.4 ms, far below any time a scenario states
#: (minutes) and any figure reports; a power of two, so rounding to it and back is exact arithmetic
GRID = 2.0**-20


@overload
def on_grid(x: float, step: float = ...) -> float: ...
@overload
def on_grid(x: np.ndarray, step: float = ...) -> np.ndarray: ...
def on_grid(x: float | np.ndarray, step: float = GRID) -> float | np.ndarray:
    """``x`` rounded to the nearest multiple of ``step`` (a power of two), ties to even.

    Multiplying and dividing by a power of two and rounding to an integer are exact, so the result is the
    same on every CPU whenever ``x`` is; and when two CPUs' ``x`` differ in the last bit, the results differ
    only if ``x`` is within that bit of a midpoint between two multiples.

    >>> on_grid(1.0 + 2.0**-30)
    1.0
    >>> on_grid(np.array([0.5, 2.0**-21 * 3])).tolist() == [0.5, 2.0**-20 * 2]
    True
    """
    scale = 1.0 / step  # exact: step is a power of two
    if isinstance(x, np.ndarray):
        return np.rint(x * scale) / scale
    return round(x * scale) / scale
