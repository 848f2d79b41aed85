"""R's ``uniroot`` root finder (``R_zeroin2``), batched, for metafor's Paule-Mandel step (private)."""

from __future__ import annotations

import numpy as np


def zeroin(f, ax: np.ndarray, bx: np.ndarray, fa: np.ndarray, fb: np.ndarray, tol: float, maxiter: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's ``uniroot`` (``R_zeroin2``, Brent's method as in netlib's ``zeroin.c``) for a batch.

    ``f(idx, x)`` returns the function of the analyses ``idx`` at the points ``x``; ``fa``,
    ``fb`` are its values at the interval ends (of opposite signs, or zero). Every branch of
    the C code is reproduced, so the root agrees with R's to rounding, also when ``tol`` is
    large. Returns ``(root, converged, iterations)``.
    """
    eps = np.finfo(float).eps
    a, b = np.array(ax, dtype=float), np.array(bx, dtype=float)
    fa, fb = np.array(fa, dtype=float), np.array(fb, dtype=float)
    c, fc = a.copy(), fa.copy()
    B = a.size
    root = np.full(B, np.nan)
    done = np.zeros(B, dtype=bool)
    conv = np.zeros(B, dtype=bool)
    it = np.zeros(B, dtype=int)
    hit = fa == 0.0
    root[hit], done[hit], conv[hit] = a[hit], True, True
    hit = (fb == 0.0) & ~done
    root[hit], done[hit], conv[hit] = b[hit], True, True
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(maxiter + 1):
            act = np.flatnonzero(~done)
            if act.size == 0:
                break
            A, Bb, C = a[act], b[act], c[act]
            FA, FB, FC = fa[act], fb[act], fc[act]
            prev_step = Bb - A
            swap = np.abs(FC) < np.abs(FB)
            A = np.where(swap, Bb, A)
            Bb = np.where(swap, C, Bb)
            C = np.where(swap, A, C)
            FA = np.where(swap, FB, FA)
            FB = np.where(swap, FC, FB)
            FC = np.where(swap, FA, FC)
            tol_act = 2 * eps * np.abs(Bb) + tol / 2
            new_step = (C - Bb) / 2
            fin = (np.abs(new_step) <= tol_act) | (FB == 0.0)
            try_int = (np.abs(prev_step) >= tol_act) & (np.abs(FA) > np.abs(FB))
            cb = C - Bb
            lin = A == C
            t1 = FB / FA
            p_lin, q_lin = cb * t1, 1.0 - t1
            qq, t1q, t2 = FA / FC, FB / FC, FB / FA
            p_quad = t2 * (cb * qq * (qq - t1q) - (Bb - A) * (t1q - 1.0))
            q_quad = (qq - 1.0) * (t1q - 1.0) * (t2 - 1.0)
            p = np.where(lin, p_lin, p_quad)
            q = np.where(lin, q_lin, q_quad)
            pos = p > 0
            q = np.where(pos, -q, q)
            p = np.where(pos, p, -p)
            accept = try_int & (p < 0.75 * cb * q - np.abs(tol_act * q) / 2) & (p < np.abs(prev_step * q / 2))
            new_step = np.where(accept, p / q, new_step)
            small = np.abs(new_step) < tol_act
            new_step = np.where(small, np.where(new_step > 0, tol_act, -tol_act), new_step)
            # rows that stop here keep b; the others step
            idx_fin = act[fin]
            root[idx_fin], done[idx_fin], conv[idx_fin] = Bb[fin], True, True
            go = ~fin
            ia = act[go]
            if ia.size == 0:
                break
            A, FA = Bb[go], FB[go]
            Bn = Bb[go] + new_step[go]
            FBn = np.asarray(f(ia, Bn), dtype=float)
            C, FC = C[go], FC[go]
            same = ((FBn > 0) & (FC > 0)) | ((FBn < 0) & (FC < 0))
            C = np.where(same, A, C)
            FC = np.where(same, FA, FC)
            a[ia], b[ia], c[ia], fa[ia], fb[ia], fc[ia] = A, Bn, C, FA, FBn, FC
            it[ia] += 1
    left = ~done
    root[left] = b[left]
    return root, conv, it
