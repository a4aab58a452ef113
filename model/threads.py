"""One BLAS thread per process, set once when the first model is built.

The model itself makes no BLAS calls (`model.groups.rowdot`), so its results never depend
on the thread count; the limit stops libraries used around it (scipy, SALib, pandas)
from starting one BLAS thread per core in every forked batch worker, which oversubscribed
the cores (measured: an England run's CPU time fell to 0.59x with one thread).
"""

from __future__ import annotations

_limited = False


def one_blas_thread() -> None:
    """Limit BLAS libraries already loaded in this process to one thread (idempotent)."""
    global _limited
    if _limited:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    _limited = True
