"""BCG vaccine trials (Colditz et al., JAMA 1994;271:698-702), as metafor's ``dat.bcg``.

A real public data set for testing figures independently of the review. The
fit values below are from R metafor 3.8-1::

    d <- escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    r <- rma(yi, vi, data=d)          # REML
    predict(r); weights(r)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

AUTHOR = ("Aronson", "Ferguson & Simes", "Rosenthal et al", "Hart & Sutherland", "Frimodt-Moller et al",
          "Stein & Aronson", "Vandiviere et al", "TPT Madras", "Coetzee & Berjak", "Rosenthal et al",
          "Comstock et al", "Comstock & Webster", "Comstock et al")
YEAR = (1948, 1949, 1960, 1977, 1973, 1953, 1973, 1980, 1968, 1961, 1974, 1969, 1976)
TPOS = (4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27)
TNEG = (119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886)
CPOS = (11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29)
CNEG = (128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825)
ABLAT = (44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33)
ALLOC = ("random", "random", "random", "random", "alternate", "alternate", "random", "random", "random",
         "systematic", "systematic", "systematic", "systematic")
LABELS = tuple(f"{a} {y}" for a, y in zip(AUTHOR, YEAR))

YI = np.array([-0.8893113339, -1.5853886572, -1.3480731483, -1.4415511900, -0.2175473222, -0.7861155858,
               -1.6208982236, 0.0119523335, -0.4694176487, -1.3713448035, -0.3393588283, 0.4459134006,
               -0.0173139482])
VI = np.array([0.3255847650, 0.1945811214, 0.4153679654, 0.0200100319, 0.0512101722, 0.0069056185,
               0.2230172476, 0.0039615793, 0.0564342105, 0.0730247936, 0.0124122140, 0.5325058452,
               0.0714046597])
WEIGHTS = np.array([5.0594830793, 6.3646796321, 4.4360277631, 9.6987467357, 8.8684562868, 10.0957381653,
                    6.0271817029, 10.1894386346, 8.7431331317, 8.3676072473, 9.9250266628, 3.8216294228,
                    8.4028515354])


@dataclass(frozen=True)
class RmaFit:
    """The fields of a MetaResult that the figures read, filled from metafor's output."""

    k: int = 13
    estimate: float = -0.7145323484
    se: float = 0.1797815318
    ci_low: float = -1.0668976757
    ci_high: float = -0.3621670210
    pi_low: float = -1.8666923466
    pi_high: float = 0.4376276499
    tau2: float = 0.3132433260
    i2: float = 92.2213860750
    h2: float = 12.8557608031
    q: float = 152.2330080824
    q_df: int = 12
    q_p: float = 1.99676459084597e-26
    stat: float = -3.9744479941
    p: float = 0.0000705427
    method: str = "REML"
    knha: bool = False
    measure: str = "RR"
    level: float = 95.0
    yi: np.ndarray = field(default_factory=lambda: YI.copy())
    vi: np.ndarray = field(default_factory=lambda: VI.copy())
    weights: np.ndarray = field(default_factory=lambda: WEIGHTS.copy())
    labels: tuple[str, ...] = LABELS
