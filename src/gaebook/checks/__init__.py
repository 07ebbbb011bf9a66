"""Self-checks for the book's exercises.

Each self-checking exercise has one function here, named ``check_<what>``,
that takes the reader's function, runs it on randomized cases including the
chapter's edge cases, compares with the library's reference and prints a
short report. It returns a :class:`CheckResult` that is truthy when every
case passed, so ``assert check_gae(my_gae)`` works in a notebook.

The checks live in one module per chapter (``chNN_*.py``); this package
re-exports every name listed in a module's ``__all__``.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._runner import Case, CheckResult, run_check

__all__ = ["Case", "CheckResult", "run_check"]



def _collect() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("ch"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for name in getattr(module, "__all__", ()):
                globals()[name] = getattr(module, name)
                __all__.append(name)


_collect()
