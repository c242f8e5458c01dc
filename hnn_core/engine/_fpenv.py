"""Confine CoreNEURON's floating-point mode to CoreNEURON's runs.

The CoreNEURON library is compiled with ``-ffast-math``, and gcc then links a
constructor into it that switches the loading thread to flush-to-zero and
denormals-are-zero (x86's MXCSR bits FTZ and DAZ). Left alone, that switch
outlives the run: every later float operation of the user's process, numpy's
included, silently turns numbers below 2.2e-308 into zero. A run keeps the
mode its library was compiled for, and the process gets its own mode back.
"""

import ctypes
import ctypes.util
import platform

_FENV_BYTES = 64          # more than sizeof(fenv_t) on every glibc target
_MXCSR_OFFSET = 28        # x86-64 glibc: the x87 environment (28 bytes), then MXCSR
_FTZ_DAZ = (1 << 15) | (1 << 6)
_EXCEPTION_MASKS = 0x1F80  # all SSE exceptions masked, as in any Python process


def _libm():
    name = ctypes.util.find_library('m')
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        get, set_ = lib.fegetenv, lib.fesetenv
    except (OSError, AttributeError):
        return None
    for func in (get, set_):
        func.argtypes = [ctypes.c_void_p]
        func.restype = ctypes.c_int
    return lib


_LIBM = _libm()
# one pair of buffers for the process: a run creates no Python objects
_SAVED = ctypes.create_string_buffer(_FENV_BYTES)
_FAST = ctypes.create_string_buffer(_FENV_BYTES)
_FAST_MXCSR = ctypes.c_uint32.from_buffer(_FAST, _MXCSR_OFFSET)
_ON_X86_64 = platform.machine() in ('x86_64', 'AMD64')


class coreneuron_fp_mode:
    """Run the body with FTZ/DAZ on (as CoreNEURON's library expects), then
    restore the caller's floating-point environment, whatever the body did.

    Not reentrant (one CoreNEURON run at a time per process, as NEURON allows).
    """

    def __enter__(self):
        self._saved = _LIBM is not None and _LIBM.fegetenv(_SAVED) == 0
        if not self._saved:  # not glibc: nothing to save or set
            return self
        ctypes.memmove(_FAST, _SAVED, _FENV_BYTES)
        mxcsr = _FAST_MXCSR.value
        # set the mode up front only where the layout is the one described
        # above, so that every run (not only the one that first loads the
        # library) computes alike
        if _ON_X86_64 and mxcsr & _EXCEPTION_MASKS == _EXCEPTION_MASKS and mxcsr < 1 << 16:
            _FAST_MXCSR.value = mxcsr | _FTZ_DAZ
            _LIBM.fesetenv(_FAST)
        return self

    def __exit__(self, *exc):
        if self._saved:
            _LIBM.fesetenv(_SAVED)
        return False
