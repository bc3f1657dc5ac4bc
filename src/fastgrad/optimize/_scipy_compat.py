"""``scipy.optimize.minimize``-style spellings accepted by :func:`fastgrad.minimize`:
scipy's method names and the ``options=`` dict.

Only what maps onto fastgrad's own loops without changing their meaning is
accepted; an option fastgrad cannot honour is an error that says what to
use instead, never silently ignored.
"""
from __future__ import annotations

#: scipy method names (lower case, without "-" and "_") -> fastgrad's loop.
#: Newton-CG maps to fastgrad's Newton (a Cholesky solve with a shift where
#: the Hessian is indefinite, instead of inner CG iterations).
METHOD_ALIASES = {"bfgs": "bfgs", "lbfgsb": "lbfgs", "lbfgs": "lbfgs", "cg": "cg", "newtoncg": "newton",
                  "newton": "newton", "gd": "gd", "momentum": "momentum", "nesterov": "nesterov"}

#: options keys -> minimize keywords: scipy's names and fastgrad's own
OPTION_KEYWORDS = {"maxiter": "max_iter", "gtol": "tol", "maxcor": "memory", "maxls": "max_line_search",
                   "c1": "c1", "c2": "c2", "max_iter": "max_iter", "tol": "tol", "memory": "memory",
                   "max_line_search": "max_line_search", "learning_rate": "learning_rate",
                   "momentum": "momentum", "line_search": "line_search", "history": "history"}

#: scipy options fastgrad has no counterpart for, and what to do instead
UNSUPPORTED_OPTIONS = {
    "ftol": "fastgrad stops on the (projected) gradient norm only; use 'gtol' (or tol=)",
    "xtol": "fastgrad stops on the gradient norm, not on the step; use 'gtol' (or tol=)",
    "eps": "fastgrad chooses finite-difference steps itself; choose the formula with jac='forward' or "
           "jac='central', or pass an analytic jac",
    "finite_diff_rel_step": "fastgrad chooses finite-difference steps itself; choose the formula with "
                            "jac='forward' or jac='central', or pass an analytic jac",
    "maxfun": "fastgrad limits iterations, not evaluations; use 'maxiter'",
    "norm": "fastgrad's gradient test always uses the largest absolute entry (norm=inf)",
    "return_all": "the iterates' objective and gradient norm are in result.history",
    "iprint": "use 'disp' to print the final message",
}


def canonical_method(method, methods):
    """fastgrad's name for ``method`` (its own or scipy's spelling), or a ValueError."""
    if isinstance(method, str):
        key = method.lower().replace("-", "").replace("_", "")
        if key in METHOD_ALIASES:
            return METHOD_ALIASES[key]
    raise ValueError(f"method={method!r} is not supported; choose one of "
                     + ", ".join(repr(m) for m in methods)
                     + " (scipy's 'BFGS', 'L-BFGS-B', 'CG' and 'Newton-CG' are accepted too).")


def apply_options(options, values, defaults):
    """Merge ``options`` into the keyword ``values`` (a dict, returned updated).

    A key may appear once (as a keyword different from its default, or in
    ``options``, under one of its names).  Returns ``(values, disp)``.
    """
    if options is None:
        return values, False
    if not isinstance(options, dict):
        raise TypeError(f"options must be a dict such as {{'maxiter': 200, 'gtol': 1e-8}}, got "
                        f"{type(options).__name__}.")
    disp = False
    seen = {}
    for key, value in options.items():
        if key == "disp":
            if not isinstance(value, (bool, int)) or isinstance(value, float):
                raise TypeError(f"options['disp'] must be True or False, got {value!r}.")
            disp = bool(value)
            continue
        if key in UNSUPPORTED_OPTIONS:
            raise ValueError(f"options[{key!r}] is not supported: {UNSUPPORTED_OPTIONS[key]}.")
        if key not in OPTION_KEYWORDS:
            known = sorted(set(OPTION_KEYWORDS) | {"disp"})
            raise ValueError(f"options[{key!r}] is not a known option; use one of "
                             + ", ".join(repr(k) for k in known) + ".")
        name = OPTION_KEYWORDS[key]
        if name in seen:
            raise ValueError(f"options gives {name} twice (as {seen[name]!r} and {key!r}); keep one.")
        seen[name] = key
        if values[name] is not defaults[name] and values[name] != defaults[name] and values[name] != value:
            raise ValueError(f"{name} is given twice: {name}={values[name]!r} and options[{key!r}]={value!r}; "
                             "keep one.")
        values[name] = value
    return values, disp
