"""Compile the package's NMODL files once per machine and load them into NEURON.

The compiled library lives in a per-user cache, never in site-packages, in a
directory whose name is a key over everything the build depends on: the NEURON
version, the platform, the CPU (the CoreNEURON part is compiled for it) and the
text of every .mod file. A new NEURON or an edited mechanism therefore gets a
fresh build, and older builds stay valid for the NEURON versions they were made
for.

Where NEURON supports it, the build has two parts: the library NEURON loads
(compiled with NEURON's default flags) and a CoreNEURON library compiled with
``-O3 -march=native -ffast-math`` after its rate-table lookups were made
vectorisable (see ``_vectorize_tables``). Without CoreNEURON support the build is
NEURON's alone and the 'neuron' engine is used.

Builds are safe against concurrent processes: a file lock serialises compilers of
the same key, and a build happens in a scratch directory that is renamed into
place only once it is complete.
"""

import fcntl
import glob
import hashlib
import os
import os.path as op
import platform
import shutil
import subprocess
import sys
import tempfile

MOD_DIR = op.join(op.dirname(op.dirname(op.abspath(__file__))), 'mod')
CORENEURON_FLAGS = '-O3 -march=native -ffast-math'
_BUILD_VERSION = '2'  # bump when the build recipe changes
_loaded_library = None


def cache_root():
    """Directory holding compiled mechanisms (``$HNN_CORE_CACHE_DIR`` overrides)."""
    root = os.environ.get('HNN_CORE_CACHE_DIR')
    if not root:
        base = os.environ.get('XDG_CACHE_HOME') or op.join(op.expanduser('~'), '.cache')
        root = op.join(base, 'hnn_core')
    return root


def _neuron_version():
    import neuron
    return neuron.__version__


def _cpu_fingerprint():
    """What -march=native compiles for: the CPU model and its feature flags."""
    try:
        with open('/proc/cpuinfo') as fid:
            info = fid.read()
        fields = [line for line in info.splitlines()
                  if line.startswith(('model name', 'flags', 'Features', 'CPU part'))]
        return hashlib.sha256('\n'.join(sorted(set(fields))).encode()).hexdigest()[:12]
    except OSError:
        return platform.processor() or 'unknown-cpu'


def _build_key(mod_dir, neuron_version):
    digest = hashlib.sha256()
    for token in (neuron_version, sys.platform, platform.machine(), _BUILD_VERSION,
                  CORENEURON_FLAGS, _cpu_fingerprint()):
        digest.update(token.encode() + b'\0')
    for fname in sorted(glob.glob(op.join(mod_dir, '*.mod'))):
        digest.update(op.basename(fname).encode() + b'\0')
        with open(fname, 'rb') as fid:
            digest.update(fid.read() + b'\0')
    return f'nrn{neuron_version}-{platform.machine()}-{digest.hexdigest()[:16]}'


def _find_nrnivmodl():
    """The nrnivmodl of the NEURON that this interpreter imports."""
    candidates = [op.join(op.dirname(sys.executable), 'nrnivmodl')]
    which = shutil.which('nrnivmodl')
    if which:
        candidates.append(which)
    for cand in candidates:
        if op.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    raise RuntimeError('Cannot find nrnivmodl (looked beside '
                       f'{sys.executable} and on PATH); is NEURON installed in this '
                       'environment? Install it with "pip install neuron".')


def _library_in(build_dir):
    found = (glob.glob(op.join(build_dir, '*', 'libnrnmech.so')) +
             glob.glob(op.join(build_dir, '*', '.libs', 'libnrnmech.so')) +
             glob.glob(op.join(build_dir, '*', 'libnrnmech.dylib')))
    return found[0] if found else None


def coreneuron_library(lib):
    """The CoreNEURON library built beside ``lib``, or None if there is none."""
    found = glob.glob(op.join(op.dirname(lib), 'libcorenrnmech.so'))
    return found[0] if found else None


def compile_mechanisms(mod_dir=MOD_DIR, cache_dir=None, neuron_version=None):
    """Return the path of the compiled mechanism library, building it if needed.

    Parameters
    ----------
    mod_dir : str
        Directory with the .mod files.
    cache_dir : str | None
        Where builds are kept; default :func:`cache_root`.
    neuron_version : str | None
        Part of the cache key; default the version of the importable ``neuron``.

    Returns
    -------
    path : str
        Absolute path of ``libnrnmech.so``.

    Raises
    ------
    RuntimeError
        If nrnivmodl fails; the message holds its full output.
    """
    if neuron_version is None:
        neuron_version = _neuron_version()
    cache_dir = cache_root() if cache_dir is None else cache_dir
    os.makedirs(cache_dir, exist_ok=True)
    key = _build_key(mod_dir, neuron_version)
    final_dir = op.join(cache_dir, key)
    lib = _library_in(final_dir)
    if lib is not None:
        return lib
    with open(op.join(cache_dir, key + '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            lib = _library_in(final_dir)  # another process may have finished it
            if lib is None:
                _build(mod_dir, cache_dir, final_dir)
                lib = _library_in(final_dir)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return lib


def _nrnivmodl(args, cwd):
    proc = subprocess.run([_find_nrnivmodl()] + args, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout


def _build_with_coreneuron(scratch):
    """Build NEURON's and CoreNEURON's libraries; return (ok, log)."""
    from ._vectorize_tables import vectorize_table_lookups
    code, log = _nrnivmodl(['-coreneuron', '.'], scratch)
    mod2c = glob.glob(op.join(scratch, '*', 'corenrn', 'mod2c'))
    if code != 0 or not mod2c or _library_in(scratch) is None:
        return False, log
    changed = vectorize_table_lookups(mod2c[0])
    log += f'\n[hnn_core] vectorisable table lookups in: {", ".join(changed)}\n'
    # Recompile only CoreNEURON's objects, now with the fast flags (make does
    # not track flags, so the old objects must go).
    arch_dir = op.dirname(op.dirname(mod2c[0]))
    for obj in (glob.glob(op.join(arch_dir, 'corenrn', 'build', '*.o')) +
                glob.glob(op.join(arch_dir, 'libcorenrnmech*'))):
        os.remove(obj)
    code, log2 = _nrnivmodl(['-coreneuron', '-incflags', CORENEURON_FLAGS, '.'],
                            scratch)
    ok = code == 0 and coreneuron_library(_library_in(scratch)) is not None
    return ok, log + log2


def _build(mod_dir, cache_dir, final_dir):
    scratch = tempfile.mkdtemp(prefix='build-', dir=cache_dir)
    try:
        for fname in sorted(glob.glob(op.join(mod_dir, '*.mod'))):
            shutil.copy(fname, scratch)
        if not glob.glob(op.join(scratch, '*.mod')):
            raise RuntimeError(f'No .mod files found in {mod_dir}')
        ok, log = _build_with_coreneuron(scratch)
        if not ok:
            # NEURON without CoreNEURON support: build NEURON's library alone.
            for entry in os.listdir(scratch):
                path = op.join(scratch, entry)
                if op.isdir(path):
                    shutil.rmtree(path)
            code, log = _nrnivmodl(['.'], scratch)
            if code != 0 or _library_in(scratch) is None:
                raise RuntimeError(
                    f'Compiling the mechanisms in {mod_dir} with nrnivmodl failed '
                    f'(exit code {code}). Its output:\n{log}')
        with open(op.join(scratch, 'nrnivmodl.log'), 'w') as fid:
            fid.write(log)
        os.rename(scratch, final_dir)
    finally:
        if op.isdir(scratch):
            shutil.rmtree(scratch, ignore_errors=True)


class _suppress_c_stdout:
    """Send what C code prints to fd 1 to stderr (NEURON announces mechanisms there)."""

    def __enter__(self):
        sys.stdout.flush()
        self._saved = os.dup(1)
        os.dup2(2, 1)
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        os.dup2(self._saved, 1)
        os.close(self._saved)
        return False


def load_mechanisms(verbose=False, announce=None):
    """Compile (if needed) and load the package mechanisms into this process.

    Loading happens once per process. The first time, ``announce(library)`` is
    called if given, else ``Loading custom mechanism files from <library>`` is
    printed when ``verbose``.
    """
    global _loaded_library
    if _loaded_library is not None:
        return _loaded_library
    from neuron import h
    lib = compile_mechanisms()
    if hasattr(h, 'DriveSource'):
        _loaded_library = lib  # e.g. inherited by a forked worker
        return lib
    if announce is not None:
        announce(lib)
    elif verbose:
        print(f'Loading custom mechanism files from {lib}', flush=True)
    with _suppress_c_stdout():
        ok = h.nrn_load_dll(lib)
    if not ok:
        raise RuntimeError(f'NEURON could not load the mechanism library {lib}')
    _loaded_library = lib
    return lib
