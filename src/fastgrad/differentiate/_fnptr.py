"""Call a user's jitted function through its native address.

Why: a compiled driver that takes the user's function as an ordinary numba
argument is specialised on that function's own type, so it must be compiled
anew for every user function and in every process.  A driver that instead
receives the function's *address* (a plain integer) has one fixed signature
per stencil; it is compiled once and cached on disk (``cache=True``), and a
fresh process only compiles the user's function itself.

``native_addresses(f, work_dtype, ret)`` compiles ``f`` for one contiguous
argument of ``work_dtype`` and returns the addresses of its native entry
point and of its C wrapper, or None when ``f`` does not compile for that
argument or returns another type than ``ret``'s (a wrong type here would make
the call undefined, so the check is exact).  Inside a kernel,
``fn_from_addresses(jit_addr, c_addr, work, ret)`` turns the two integers
back into a callable first-class function of type ``ret(work)``; ``work`` and
``ret`` only supply the argument and return types.

The addresses stay valid while ``f``'s compiled code lives; the table below
holds a reference to every ``f`` it returned addresses for (bounded, least
recently used first out), and callers hold ``f`` during the call.
"""
from __future__ import annotations

from collections import OrderedDict

import numba
import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def fn_from_addresses(typingctx, jit_addr, c_addr, work, ret):
    fty = types.FunctionType(ret(work))

    def codegen(context, builder, signature, args):
        fn = cgutils.create_struct_proxy(fty)(context, builder)
        voidptr = context.get_value_type(types.voidptr)
        # jit_addr non-null: numba calls it with its own calling convention,
        # so exceptions raised by f propagate as usual.
        fn.jit_addr = builder.inttoptr(args[0], voidptr)
        fn.c_addr = builder.inttoptr(args[1], voidptr)
        fn.py_addr = cgutils.get_null_value(voidptr)  # never boxed back to Python
        return fn._getvalue()

    return fty(jit_addr, c_addr, work, ret), codegen


#: numba type of the value ``f`` must return, per prototype kind
RETURN_TYPES = {
    "real": types.float64,
    "complex": types.complex128,
    "real_vector": types.Array(types.float64, 1, "C"),
    "complex_vector": types.Array(types.complex128, 1, "C"),
}

#: a value of each kind, passed to the kernels only for its type
PROTOTYPES = {
    "real": 0.0,
    "complex": 0j,
    "real_vector": np.empty(0),
    "complex_vector": np.empty(0, dtype=np.complex128),
}

_ADDRESSES: OrderedDict = OrderedDict()
MAX_FUNCTIONS = 256


def native_addresses(f, work_dtype, ret_kind):
    """``(jit_addr, c_addr)`` of ``f`` compiled for ``f(work) -> ret``, or None."""
    key = (f, np.dtype(work_dtype).char, ret_kind)
    hit = _ADDRESSES.get(key)
    if hit is not None:
        _ADDRESSES.move_to_end(key)
        return hit[1]
    arg = types.Array(numba.from_dtype(np.dtype(work_dtype)), 1, "C")
    try:
        cres = f.get_compile_result(RETURN_TYPES[ret_kind](arg))
    except (numba.core.errors.NumbaError, TypeError, ValueError):
        cres = None
    addresses = None
    if cres is not None and cres.signature.return_type == RETURN_TYPES[ret_kind]:
        lib = cres.library
        addresses = (lib.get_pointer_to_function(cres.fndesc.llvm_func_name),
                     lib.get_pointer_to_function(cres.fndesc.llvm_cfunc_wrapper_name))
    _ADDRESSES[key] = (f, addresses)  # f kept alive while its addresses may be used
    if len(_ADDRESSES) > MAX_FUNCTIONS:
        _ADDRESSES.popitem(last=False)
    return addresses
