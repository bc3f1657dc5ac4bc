"""scipy-style calls of fastgrad.minimize: method names and the options dict."""
import numpy as np
import pytest
import scipy.optimize as so

import fastgrad


def rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def rosen_grad(x):
    g = np.zeros_like(x)
    a = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * a - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * a
    return g


X0 = np.array([-1.2, 1.0, 0.5])


@pytest.mark.parametrize("scipy_name,ours", [("BFGS", "bfgs"), ("L-BFGS-B", "lbfgs"), ("CG", "cg"),
                                             ("Newton-CG", "newton"), ("l-bfgs-b", "lbfgs"), ("newton_cg", "newton")])
def test_scipy_method_names_run_fastgrads_loops(scipy_name, ours):
    res = fastgrad.minimize(rosen, X0, method=scipy_name, jac=rosen_grad, tol=1e-8)
    same = fastgrad.minimize(rosen, X0, method=ours, jac=rosen_grad, tol=1e-8)
    assert res.method == ours
    np.testing.assert_array_equal(res.x, same.x)
    ref = so.minimize(rosen, X0, method="BFGS", jac=rosen_grad, options={"gtol": 1e-10})
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)


def test_scipy_style_call_with_bounds_and_options():
    bounds = so.Bounds([-2.0, -2.0, -2.0], [0.5, 2.0, 2.0])
    opts = {"maxiter": 500, "gtol": 1e-9, "maxcor": 7, "maxls": 30}
    res = fastgrad.minimize(rosen, X0, method="L-BFGS-B", jac=rosen_grad, bounds=bounds, options=opts)
    ref = so.minimize(rosen, X0, method="L-BFGS-B", jac=rosen_grad, bounds=bounds,
                      options={"maxiter": 500, "gtol": 1e-9, "ftol": 0.0})
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert res.x[0] == 0.5 and res.active_mask[0] == 1
    # the options are the keywords under scipy's names
    kw = fastgrad.minimize(rosen, X0, method="lbfgs", jac=rosen_grad, bounds=bounds, max_iter=500, tol=1e-9,
                           memory=7, max_line_search=30)
    np.testing.assert_array_equal(res.x, kw.x)
    assert res.nit == kw.nit


def test_options_map_to_keywords():
    a = fastgrad.minimize(rosen, X0, jac=rosen_grad, options={"maxiter": 3})
    assert a.status == 1 and a.nit == 3 and "max_iter=3" in a.message
    b = fastgrad.minimize(rosen, X0, jac=rosen_grad, options={"max_iter": 3, "history": False})
    assert b.nit == 3 and b.history is None
    c = fastgrad.minimize(rosen, X0, method="gd", jac=rosen_grad, options={"learning_rate": 1e-4, "maxiter": 5})
    np.testing.assert_array_equal(c.history.step_size[1:], 1e-4)
    # a keyword equal to its default does not clash with the option
    d = fastgrad.minimize(rosen, X0, jac=rosen_grad, tol=1e-6, options={"gtol": 1e-3})
    assert d.history.grad_norm[-1] <= 1e-3 < d.history.grad_norm[-2]


def test_disp_prints_the_message(capsys):
    res = fastgrad.minimize(rosen, X0, jac=rosen_grad, options={"disp": True})
    assert capsys.readouterr().out.strip() == res.message
    fastgrad.minimize(rosen, X0, jac=rosen_grad, options={"disp": False})
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("options,exc,match", [
    ([("maxiter", 3)], TypeError, "options must be a dict"),
    ({"ftol": 1e-9}, ValueError, r"options\['ftol'\] is not supported: .*use 'gtol'"),
    ({"eps": 1e-8}, ValueError, r"options\['eps'\] is not supported: .*jac='forward'"),
    ({"maxfun": 100}, ValueError, r"options\['maxfun'\] is not supported"),
    ({"maxiterations": 100}, ValueError, r"options\['maxiterations'\] is not a known option; use one of"),
    ({"maxiter": 10, "max_iter": 10}, ValueError, "options gives max_iter twice"),
    ({"maxiter": -1}, ValueError, "max_iter"),
    ({"gtol": -1.0}, ValueError, "tol"),
    ({"maxcor": 0}, ValueError, "memory"),
    ({"disp": "yes"}, TypeError, r"options\['disp'\] must be True or False"),
])
def test_bad_options_raise_clear_errors(options, exc, match):
    with pytest.raises(exc, match=match):
        fastgrad.minimize(rosen, X0, jac=rosen_grad, options=options)


def test_option_and_keyword_given_twice():
    with pytest.raises(ValueError, match=r"max_iter is given twice: max_iter=5 and options\['maxiter'\]=7"):
        fastgrad.minimize(rosen, X0, jac=rosen_grad, max_iter=5, options={"maxiter": 7})


@pytest.mark.parametrize("method", ["Nelder-Mead", "TNC", "trust-ncg", "SLSQP"])
def test_unsupported_scipy_methods(method):
    with pytest.raises(ValueError, match=r"is not supported; choose one of .*'L-BFGS-B'"):
        fastgrad.minimize(rosen, X0, method=method)
