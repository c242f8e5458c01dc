"""Compile the package's NMODL files once per machine and load them into NEURON.

The compiled library lives in a per-user cache, never in site-packages, in a
directory whose name is a key over everything the build depends on: the NEURON
version and where it is installed (the CoreNEURON library links to NEURON's own
by path, so a build made for a virtualenv that was since removed cannot load),
the platform, the CPU (the CoreNEURON part is compiled for it), the text of
every .mod file and of the modules that rewrite CoreNEURON's generated code and
choose its compiler flags. A new NEURON, an edited mechanism or an edited
rewrite therefore gets a fresh build, and older builds stay valid for the NEURON
versions they were made for.

Where NEURON supports it, the build has two parts: the library NEURON loads
(compiled with NEURON's default flags) and a CoreNEURON library compiled with
``-O3 -march=native -ffast-math`` (and, where the compiler would otherwise not
vectorise the channels' loops on this CPU, flags that let it: see
``_compiler_flags``) after its rate-table lookups were made vectorisable and
the ion write-backs of its state loops moved to loops of their own (see
``_vectorize_tables``; NEURON 9's and 8.2's generators are known). The rewrite
cannot fail silently: generated lookups of a shape it does not know are reported
in a warning, and rewritten code that does not compile is replaced by the code
as generated (with a warning) so that CoreNEURON is still used. Without
CoreNEURON support the build is NEURON's alone, the 'neuron' engine is used, and
the build says so in a warning. The manifest records what became of the lookups
and loops, and the flags used.

Builds are safe against concurrent processes: a file lock serialises compilers of
the same key, and a build happens in a scratch directory (``build-<key>-*``) that
is renamed into place only once it is complete.

A build is verified before it is used: its ``manifest.json``, written last and
atomically, holds the size and SHA-256 of each library, so a truncated, deleted
or altered library (or a build without a manifest) is rebuilt instead of crashing
NEURON. The hashes are computed once per process; later checks compare sizes and
modification times. A damaged build is moved aside, never overwritten in place,
so a process that has the old library loaded keeps running.

A build stopped by ``kill -9`` cannot clean up after itself, so each run removes
the scratch directories whose key lock is free and ends the compilers still
running for them (a build marks its compilers' environment with a token).

The cache directory must belong to the user and must not be writable by others:
a library planted there would run in this process. nrnivmodl pastes the build
path into makefile recipes unquoted, so it only ever runs in a directory whose
path is made of plain characters; a cache with another path is built in a
private temporary directory and copied in.

A build takes minutes. It announces itself on stderr before the compiler starts
and reports its progress while it runs (stdout is left to the simulation's own
progress lines, which scripts and tests read).
"""

import contextlib
import ctypes
import errno
import fcntl
import glob
import hashlib
import json
import os
import os.path as op
import platform
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings

from ._compiler_flags import STANDARD_FLAGS, coreneuron_flags

MOD_DIR = op.join(op.dirname(op.dirname(op.abspath(__file__))), 'mod')
_BUILD_VERSION = '5'  # bump when the build recipe changes
MANIFEST = 'manifest.json'
_MANIFEST_FORMAT = 1
_OWNER = 'owner.json'  # in a scratch directory: what a later run needs to clean up
_TOKEN_ENV = 'HNN_CORE_BUILD_TOKEN'
_HEARTBEAT = 30.  # seconds between the progress lines of a running compiler
# paths and names that nrnivmodl can paste into a makefile recipe harmlessly
_PLAIN_PATH = re.compile(r'[A-Za-z0-9_./+-]*')
_PLAIN_MOD_NAME = re.compile(r'[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\.mod')
_SCRATCH = re.compile(r'build-(?P<key>.+-[0-9a-f]{16})-[A-Za-z0-9_]+')
_loaded_library = None
_loaded_cache = None
_loaded_mod_dir = None
_verified = {}  # build dir -> stat signature of its files when their hashes matched
_warned_group_writable = set()


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


def _mod_files(mod_dir):
    """The .mod files of ``mod_dir``, sorted; their names must be plain."""
    files = sorted(glob.glob(op.join(glob.escape(mod_dir), '*.mod')))
    if not files:
        raise RuntimeError(f'No .mod files found in {mod_dir}')
    for fname in files:
        if not _PLAIN_MOD_NAME.fullmatch(op.basename(fname)):
            # nrnivmodl writes the names into makefile recipes as they are
            raise ValueError(
                f'The mechanism file {fname} has a name that nrnivmodl cannot '
                'compile safely; a .mod file name may hold only letters, digits '
                'and . _ + -')
    return files


def _neuron_home():
    """The directory of the ``neuron`` package this interpreter imports."""
    import importlib.util
    spec = importlib.util.find_spec('neuron')
    if spec is None or not spec.origin:
        return 'unknown'
    return op.realpath(op.dirname(spec.origin))


def _rewrite_source():
    """The text of the modules that rewrite CoreNEURON's code and choose its flags."""
    text = b''
    for name in ('_vectorize_tables.py', '_compiler_flags.py'):
        with open(op.join(op.dirname(op.abspath(__file__)), name), 'rb') as fid:
            text += fid.read() + b'\0'
    return text


def _build_key(mod_dir, neuron_version):
    digest = hashlib.sha256()
    for token in (neuron_version, _neuron_home(), sys.platform, platform.machine(),
                  _BUILD_VERSION, _cpu_fingerprint()):
        digest.update(token.encode() + b'\0')
    digest.update(_rewrite_source() + b'\0')
    for fname in sorted(glob.glob(op.join(glob.escape(mod_dir), '*.mod'))):
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
    build_dir = glob.escape(build_dir)
    found = (glob.glob(op.join(build_dir, '*', 'libnrnmech.so')) +
             glob.glob(op.join(build_dir, '*', '.libs', 'libnrnmech.so')) +
             glob.glob(op.join(build_dir, '*', 'libnrnmech.dylib')))
    return found[0] if found else None


def coreneuron_library(lib):
    """The CoreNEURON library built beside ``lib``, or None if there is none."""
    found = glob.glob(op.join(glob.escape(op.dirname(lib)), 'libcorenrnmech.so'))
    return found[0] if found else None


# -- the cache directory and its locks ----------------------------------------------
def _notice(message):
    print(f'hnn_core: {message}', file=sys.stderr, flush=True)


def _prepare_cache_dir(cache_dir):
    """Create ``cache_dir`` private, or check that nobody else can write to it."""
    try:
        os.makedirs(cache_dir, mode=0o700, exist_ok=True)
        info = os.stat(cache_dir)
    except OSError as err:
        raise OSError(err.errno, f'Cannot create the mechanism cache {cache_dir} '
                      f'({err.strerror}); set HNN_CORE_CACHE_DIR to a folder you '
                      'can write to') from err
    fix = (f'make it private (chmod go-w {cache_dir}) or set HNN_CORE_CACHE_DIR to '
           'a folder only you can write to')
    if not stat.S_ISDIR(info.st_mode):
        raise RuntimeError(f'The mechanism cache {cache_dir} is not a directory; set '
                           'HNN_CORE_CACHE_DIR to a folder only you can write to')
    if info.st_uid != os.geteuid():
        raise RuntimeError(
            f'The mechanism cache {cache_dir} is owned by another user (uid '
            f'{info.st_uid}), who could plant a library that this process would '
            'run; set HNN_CORE_CACHE_DIR to a folder of your own')
    if info.st_mode & stat.S_IWOTH:
        raise RuntimeError(
            f'The mechanism cache {cache_dir} is writable by other users (mode '
            f'{stat.S_IMODE(info.st_mode):o}), who could plant a library that this '
            f'process would run; {fix}')
    if info.st_mode & stat.S_IWGRP and cache_dir not in _warned_group_writable:
        # a warning, not an error: with a private group per user (umask 002) this
        # is how the user's own folders are
        _warned_group_writable.add(cache_dir)
        warnings.warn(
            f'The mechanism cache {cache_dir} is writable by its group (mode '
            f'{stat.S_IMODE(info.st_mode):o}), whose members could plant a library '
            f'that this process would run; {fix}', UserWarning, stacklevel=3)


def _open_lock(path):
    """A descriptor of the lock file ``path``, never opened through a symbolic link."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise RuntimeError(
                f'The lock file {path} is a symbolic link, which is not followed '
                '(it could make this process write to another file); remove it'
            ) from err
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RuntimeError(f'The lock file {path} is not a regular file; remove it')
    return fd


def _try_lock(path):
    """The locked descriptor of ``path``, or None if another process holds the lock."""
    fd = _open_lock(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def _locked(path, waiting_message=None):
    fd = _try_lock(path)
    if fd is None:
        if waiting_message:
            _notice(waiting_message)
        fd = _open_lock(path)
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)  # releases the lock


# -- verification ---------------------------------------------------------------------
def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as fid:
        for block in iter(lambda: fid.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(build_dir):
    """The manifest of ``build_dir`` if it is there and well formed, else None."""
    try:
        with open(op.join(build_dir, MANIFEST)) as fid:
            manifest = json.load(fid)
        files = manifest['files']
        names = [manifest['library']] + ([manifest['coreneuron']]
                                         if manifest['coreneuron'] else [])
        ok = (manifest['format'] == _MANIFEST_FORMAT and
              all(name in files and isinstance(files[name]['size'], int) and
                  isinstance(files[name]['sha256'], str) for name in names) and
              all(not op.isabs(name) and '..' not in name.split('/') for name in files))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return manifest if ok else None


def _check_build(build_dir):
    """(library, None) if the build in ``build_dir`` is intact, else (None, problem).

    The problem is None when there is no build at all.
    """
    if not op.lexists(build_dir):
        return None, None
    manifest = _read_manifest(build_dir)
    if manifest is None:
        return None, f'{MANIFEST} is missing or unreadable'
    signature = []
    for name, expected in sorted(manifest['files'].items()):
        try:
            info = os.stat(op.join(build_dir, name))
        except OSError:
            return None, f'{name} is missing'
        if info.st_size != expected['size']:
            return None, f'{name} has {info.st_size} bytes instead of {expected["size"]}'
        signature.append((name, info.st_ino, info.st_size, info.st_mtime_ns))
    signature = tuple(signature)
    if _verified.get(build_dir) != signature:
        for name, expected in sorted(manifest['files'].items()):
            if _file_sha256(op.join(build_dir, name)) != expected['sha256']:
                return None, f'{name} is not the library that was built (its hash differs)'
        _verified[build_dir] = signature
    return op.join(build_dir, manifest['library']), None


def _write_manifest(build_dir, key, neuron_version, lib, core_lib, core_error,
                    tables=None):
    """Record the libraries' sizes and hashes: last, in one atomic rename."""
    names = [op.relpath(path, build_dir) for path in (lib, core_lib) if path]
    manifest = {
        'format': _MANIFEST_FORMAT, 'key': key, 'neuron_version': neuron_version,
        'library': names[0], 'coreneuron': names[1] if core_lib else None,
        'coreneuron_error': core_error, 'table_lookups': tables,
        'files': {name: {'size': op.getsize(op.join(build_dir, name)),
                         'sha256': _file_sha256(op.join(build_dir, name))}
                  for name in names}}
    part = op.join(build_dir, MANIFEST + '.part')
    with open(part, 'w') as fid:
        json.dump(manifest, fid, indent=1)
        fid.flush()
        os.fsync(fid.fileno())
    os.replace(part, op.join(build_dir, MANIFEST))


# -- scratch directories of builds that were stopped --------------------------------
def _end_compilers(token):
    """SIGKILL every process whose environment carries a build's token."""
    if not token or not op.isdir('/proc'):
        return
    needle = f'{_TOKEN_ENV}={token}'.encode()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f'/proc/{entry}/environ', 'rb') as fid:
                environ = fid.read().split(b'\0')
        except OSError:
            continue
        if needle in environ:  # a reused pid belongs to a program without the token
            with contextlib.suppress(OSError):
                os.kill(int(entry), signal.SIGKILL)


def _remove_scratch(path):
    try:
        with open(op.join(path, _OWNER)) as fid:
            owner = json.load(fid)
    except (OSError, ValueError):
        owner = None
    if not isinstance(owner, dict):
        owner = {}
    token = owner.get('token')
    _end_compilers(token if isinstance(token, str) else None)
    work = owner.get('work')
    if (isinstance(work, str) and work != path and op.isabs(work) and
            op.basename(work).startswith('hnn_core-build-')):
        shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)


def _remove_stale(cache_dir, held_key=None):
    """Remove the scratch directories of builds that no longer run.

    A build holds its key's lock while it runs, so a scratch directory whose lock
    is free belongs to a process that is gone (e.g. killed by SIGKILL).
    ``held_key`` is the key whose lock this process holds.
    """
    try:
        entries = [e for e in os.listdir(cache_dir) if e.startswith('build-')]
    except OSError:
        return
    for entry in entries:
        match = _SCRATCH.fullmatch(entry)
        if match:
            keys = [match.group('key')]
        else:  # from an older version, of an unknown key: stale if no build runs
            keys = [name[:-len('.lock')] for name in os.listdir(cache_dir)
                    if name.endswith('.lock')]
        fds = []
        try:
            for key in keys:
                if key == held_key:
                    continue
                fd = _try_lock(op.join(cache_dir, key + '.lock'))
                if fd is None:
                    break  # that build is running
                fds.append(fd)
            else:
                _remove_scratch(op.join(cache_dir, entry))
        except RuntimeError:
            pass  # a lock file that is unsafe to open: leave its builds alone
        finally:
            for fd in fds:
                os.close(fd)


# -- building -------------------------------------------------------------------------
def compile_mechanisms(mod_dir=MOD_DIR, cache_dir=None, neuron_version=None,
                       verbose=True):
    """Return the path of the compiled mechanism library, building it if needed.

    A build found in the cache is verified first (the sizes and hashes of its
    libraries) and is rebuilt if it is damaged or incomplete.

    Parameters
    ----------
    mod_dir : str
        Directory with the .mod files (names of letters, digits and ``. _ + -``).
    cache_dir : str | None
        Where builds are kept; default :func:`cache_root`. It is created private;
        it must belong to the user and must not be writable by other users.
    neuron_version : str | None
        Part of the cache key; default the version of the importable ``neuron``.
    verbose : bool
        Print on stderr what a build does: one line before the compiler starts,
        then its steps and progress. Nothing is printed when the build is in the
        cache.

    Returns
    -------
    path : str
        Absolute path of ``libnrnmech.so``.

    Raises
    ------
    RuntimeError
        If nrnivmodl fails (the message holds its full output), or the cache
        directory or its lock file is unsafe to use.
    ValueError
        If a .mod file name holds other characters, or the cache path holds
        ``$(``.
    """
    if neuron_version is None:
        neuron_version = _neuron_version()
    cache_dir = op.abspath(cache_root() if cache_dir is None else cache_dir)
    if '$(' in cache_dir:  # NEURON reads $(NAME) in a library path as a variable
        raise ValueError(f'The mechanism cache path {cache_dir} holds "$(", which '
                         'NEURON cannot load libraries from; set HNN_CORE_CACHE_DIR '
                         'to another folder')
    mod_files = _mod_files(mod_dir)
    _prepare_cache_dir(cache_dir)
    key = _build_key(mod_dir, neuron_version)
    final_dir = op.join(cache_dir, key)
    if any(entry.startswith('build-') for entry in os.listdir(cache_dir)):
        _remove_stale(cache_dir)
    lib, _ = _check_build(final_dir)
    if lib is not None:
        return lib
    waiting = ('waiting for another process that is compiling the mechanisms into '
               f'{final_dir}' if verbose else None)
    with _locked(op.join(cache_dir, key + '.lock'), waiting):
        _remove_stale(cache_dir, held_key=key)
        lib, problem = _check_build(final_dir)  # another process may have built it
        if lib is None:
            if problem and verbose:
                _notice(f'the compiled mechanisms in {final_dir} are damaged '
                        f'({problem}); rebuilding them')
            _build(mod_dir, mod_files, cache_dir, key, neuron_version, verbose)
            lib, problem = _check_build(final_dir)
            if lib is None:
                raise RuntimeError(f'The mechanisms just built into {final_dir} do '
                                   f'not verify ({problem})')
    return lib


# nrnivmodl's direct parent on Linux: it dies with the process that started the
# build instead of compiling on alone (PR_SET_PDEATHSIG survives exec).
_DIE_WITH_PARENT = '''import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit('hnn_core: the process that started this build is gone')
os.execv(sys.argv[2], sys.argv[2:])
'''


class _Progress:
    """Lines on stderr while a build runs: its steps and, now and then, the time."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.start = time.monotonic()

    def step(self, text):
        if self.verbose:
            _notice(f'  {text}')

    def alive(self, lines):
        if self.verbose:
            # CoreNEURON's part compiles silently: a count only where there is one
            done = sum(' Compiling' in line or 'Translating' in line for line in lines)
            count = f'; {done} files done in this step' if done else ''
            _notice(f'  still compiling ({time.monotonic() - self.start:.0f} s so far'
                    f'{count})')


def _nrnivmodl(args, cwd, token=None, progress=None):
    """Run nrnivmodl in ``cwd``; return (exit code, its output)."""
    cmd = [_find_nrnivmodl()] + list(args)
    if sys.platform.startswith('linux'):
        cmd = [sys.executable, '-c', _DIE_WITH_PARENT, str(os.getpid())] + cmd
    env = dict(os.environ, PWD=cwd)  # the path nrnivmodl's makefiles are given
    if token:
        env[_TOKEN_ENV] = token  # make and the compilers inherit it: _end_compilers
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(
        line.decode(errors='replace') for line in proc.stdout), daemon=True)
    reader.start()
    try:
        while True:
            try:
                proc.wait(timeout=_HEARTBEAT)
                break
            except subprocess.TimeoutExpired:
                if progress is not None:
                    progress.alive(list(lines))
    except BaseException:
        # e.g. Ctrl-C, which the build's own session does not receive
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    reader.join()
    proc.stdout.close()
    return proc.returncode, ''.join(lines)


def _recompile_coreneuron(scratch, arch_dir, flags, step, token=None, progress=None):
    """Compile CoreNEURON's part again, with the fast ``flags``; return (ok, log)."""
    # make does not track flags or rewritten sources: its objects must go
    escaped = glob.escape(arch_dir)
    for obj in (glob.glob(op.join(escaped, 'corenrn', 'build', '*.o')) +
                glob.glob(op.join(escaped, 'libcorenrnmech*'))):
        os.remove(obj)
    if progress is not None:
        progress.step(step)
    code, log = _nrnivmodl(['-coreneuron', '-incflags', flags, '.'],
                           scratch, token, progress)
    return code == 0 and coreneuron_library(_library_in(scratch)) is not None, log


def _last_line(log):
    return next((line.strip() for line in reversed(log.splitlines()) if line.strip()),
                'nrnivmodl printed nothing')[:300]


def _build_with_coreneuron(scratch, token=None, progress=None):
    """Build NEURON's and CoreNEURON's libraries.

    Returns
    -------
    ok : bool
        Whether both libraries were built.
    log : str
        nrnivmodl's output.
    tables : dict
        What became of CoreNEURON's table lookups: ``rewritten`` and
        ``unmatched`` (file names), ``error``, the compiler's last line if
        the rewritten files did not compile (the build then uses them as
        generated), ``flags``, the compiler flags of CoreNEURON's part
        (:func:`~._compiler_flags.coreneuron_flags`; ``flags_error``, the
        compiler's last line, if extra options failed and the standard flags
        were used instead), and ``split_loops``, the files whose state loops had
        their ion write-backs moved out (:func:`~._vectorize_tables.split_ion_writes`).
    """
    from ._vectorize_tables import split_ion_writes_in, vectorize_table_lookups
    tables = {'rewritten': [], 'unmatched': [], 'error': None,
              'flags': coreneuron_flags(), 'split_loops': []}
    if progress is not None:
        progress.step('[1/2] translating and compiling for NEURON and CoreNEURON')
    code, log = _nrnivmodl(['-coreneuron', '.'], scratch, token, progress)
    mod2c = glob.glob(op.join(glob.escape(scratch), '*', 'corenrn', 'mod2c'))
    if code != 0 or not mod2c or _library_in(scratch) is None:
        return False, log, tables
    mod2c = mod2c[0]
    generated = mod2c + '.generated'  # the files as NEURON wrote them, to go back to
    shutil.copytree(mod2c, generated)
    tables['rewritten'], tables['unmatched'] = vectorize_table_lookups(mod2c)
    tables['split_loops'] = split_ion_writes_in(mod2c)
    log += ('\n[hnn_core] vectorisable table lookups in: '
            f'{", ".join(tables["rewritten"]) or "no file"}; lookups of another '
            f'shape in: {", ".join(tables["unmatched"]) or "no file"}; state loops '
            f'with their ion write-backs split off in: '
            f'{", ".join(tables["split_loops"]) or "no file"}\n')
    arch_dir = op.dirname(op.dirname(mod2c))
    ok, log2 = _recompile_coreneuron(
        scratch, arch_dir, tables['flags'], "[2/2] recompiling CoreNEURON's part "
        f"for this CPU ({tables['flags']})", token, progress)
    log += log2
    if not ok and (tables['rewritten'] or tables['split_loops']):
        tables['error'] = _last_line(log2)
        for name in set(tables['rewritten']) | set(tables['split_loops']):
            shutil.copy2(op.join(generated, name), op.join(mod2c, name))
        tables['rewritten'], tables['split_loops'] = [], []
        ok, log2 = _recompile_coreneuron(
            scratch, arch_dir, tables['flags'], 'the rewritten code did not compile; '
            "compiling CoreNEURON's part from the generated code", token, progress)
        log += f'\n[hnn_core] the generated code, not rewritten:\n{log2}'
    if not ok and tables['flags'] != STANDARD_FLAGS:
        # the probe accepted the extra options, the mechanisms' code did not
        tables['flags_error'] = _last_line(log2)
        tables['flags'] = STANDARD_FLAGS
        ok, log3 = _recompile_coreneuron(
            scratch, arch_dir, STANDARD_FLAGS, 'the extra compiler options failed; '
            f"compiling CoreNEURON's part with {STANDARD_FLAGS}", token, progress)
        log += f'\n[hnn_core] with the standard flags:\n{log3}'
    shutil.rmtree(generated, ignore_errors=True)
    return ok, log, tables


def _warn_about_tables(tables, neuron_version, final_dir):
    """Say when the table lookups are compiled as generated: a slower simulation."""
    log = op.join(final_dir, 'nrnivmodl.log')
    if tables.get('flags_error') is not None:
        warnings.warn(
            "CoreNEURON's mechanisms did not compile with the options that let the "
            f"compiler vectorise their loops on this CPU ({tables['flags_error']}); "
            f'they were compiled with {STANDARD_FLAGS}, which is correct but makes '
            f'the simulation slower. The compiler output is in {log}',
            RuntimeWarning, stacklevel=4)
    if tables['error'] is not None:
        warnings.warn(
            "CoreNEURON's table lookups, rewritten to be vectorised, did not compile "
            f"({tables['error']}); they were compiled as NEURON generated them, which "
            f'is correct but makes the simulation slower. The compiler output is in '
            f'{log}', RuntimeWarning, stacklevel=4)
    elif tables['unmatched']:
        warnings.warn(
            f"The table lookups that NEURON {neuron_version} generated for CoreNEURON "
            f"in {', '.join(tables['unmatched'])} do not have the shape hnn_core "
            'rewrites to vectorise them; they are compiled as generated, which is '
            'correct but makes the simulation slower', RuntimeWarning, stacklevel=4)


def _plain_tmp():
    """A new private directory at a plain path, for nrnivmodl to work in."""
    for root in (tempfile.gettempdir(), '/tmp', '/var/tmp'):
        root = op.realpath(root)
        if _PLAIN_PATH.fullmatch(root) and op.isdir(root):
            return tempfile.mkdtemp(prefix='hnn_core-build-', dir=root)
    raise RuntimeError('The mechanism cache path holds characters that nrnivmodl '
                       'would run as shell code, and there is no temporary folder '
                       'with a plain path to build in; set HNN_CORE_CACHE_DIR to a '
                       'path of letters, digits and . _ + - /')


def _exchange(path_a, path_b):
    """Swap two paths in one step (Linux's renameat2); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(path_a), at_fdcwd, os.fsencode(path_b),
                     rename_exchange) == 0


def _install(scratch, final_dir):
    """Put the complete build ``scratch`` in place of whatever is at ``final_dir``."""
    if not op.lexists(final_dir):
        os.rename(scratch, final_dir)
        return
    # The damaged build goes aside, not overwritten: a process may have it loaded.
    if _exchange(scratch, final_dir):
        shutil.rmtree(scratch, ignore_errors=True)  # now the damaged build
        return
    aside = f'{scratch}_old'  # a scratch name: a later run removes it if we cannot
    os.rename(final_dir, aside)
    os.rename(scratch, final_dir)
    shutil.rmtree(aside, ignore_errors=True)


def _write_owner(scratch, token, work):
    with open(op.join(scratch, _OWNER), 'w') as fid:
        json.dump({'pid': os.getpid(), 'token': token, 'work': work}, fid)


def _build(mod_dir, mod_files, cache_dir, key, neuron_version, verbose):
    final_dir = op.join(cache_dir, key)
    progress = _Progress(verbose)
    if verbose:
        _notice(f"compiling the model's {len(mod_files)} NMODL mechanisms for NEURON "
                f'{neuron_version} into {final_dir}, where they are not yet; this '
                'happens once per NEURON version and machine, and takes one to a '
                'few minutes')
    scratch = tempfile.mkdtemp(prefix=f'build-{key}-', dir=cache_dir)
    token = secrets.token_hex(16)
    work = scratch
    core_error = None
    try:
        _write_owner(scratch, token, None)
        if not _PLAIN_PATH.fullmatch(op.realpath(scratch)):
            work = _plain_tmp()
            _write_owner(scratch, token, work)
        for fname in mod_files:
            shutil.copy(fname, work)
        ok, log, tables = _build_with_coreneuron(work, token, progress)
        if not ok:
            core_error = _last_line(log)
            # NEURON without CoreNEURON support: build NEURON's library alone.
            for entry in os.listdir(work):
                path = op.join(work, entry)
                if op.isdir(path):
                    shutil.rmtree(path)
            progress.step('compiling for NEURON alone (CoreNEURON failed)')
            code, log2 = _nrnivmodl(['.'], work, token, progress)
            log = f'{log}\n[hnn_core] without CoreNEURON:\n{log2}'
            if code != 0 or _library_in(work) is None:
                raise RuntimeError(
                    f'Compiling the mechanisms in {mod_dir} with nrnivmodl failed '
                    f'(exit code {code}). Its output:\n{log2}')
        with open(op.join(work, 'nrnivmodl.log'), 'w') as fid:
            fid.write(log)
        if work != scratch:
            shutil.copytree(work, scratch, symlinks=True, dirs_exist_ok=True)
        lib = _library_in(scratch)
        _write_manifest(scratch, key, neuron_version, lib, coreneuron_library(lib),
                        core_error, tables if ok else None)
        os.remove(op.join(scratch, _OWNER))
        _install(scratch, final_dir)
    finally:
        if work != scratch:
            shutil.rmtree(work, ignore_errors=True)
        if op.isdir(scratch):
            shutil.rmtree(scratch, ignore_errors=True)
    if core_error is not None:
        warnings.warn(
            f"CoreNEURON's mechanism library could not be built ({core_error}); "
            "simulations will use the slower 'neuron' engine. The compiler output is "
            f'in {op.join(final_dir, "nrnivmodl.log")}; delete {final_dir} to try '
            'again', RuntimeWarning, stacklevel=3)
    else:
        _warn_about_tables(tables, neuron_version, final_dir)
    if verbose:
        _notice(f'mechanisms compiled in {time.monotonic() - progress.start:.0f} s; '
                'later runs load them from the cache')


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


def is_loaded():
    """Whether this process has loaded its mechanism library."""
    return _loaded_library is not None


def _load_library(lib):
    """Load a compiled mechanism library into this process's NEURON."""
    from neuron import h
    with _suppress_c_stdout():
        ok = h.nrn_load_dll(lib)
    if not ok:
        raise RuntimeError(f'NEURON could not load the mechanism library {lib}')


def load_mechanisms(verbose=False, announce=None, mod_dir=None):
    """Compile (if needed) and load the package mechanisms into this process.

    Loading happens once per process. The first time, ``announce(library)`` is
    called if given, else ``Loading custom mechanism files from <library>`` is
    printed when ``verbose``. A compilation announces itself on stderr. Later
    calls check the build again (cheaply), so that a CoreNEURON library removed
    meanwhile is rebuilt before CoreNEURON looks for it.

    ``mod_dir`` (default the package's files) is only read by the first call:
    a process holds one library (:mod:`.generated` decides which).
    """
    global _loaded_library, _loaded_cache, _loaded_mod_dir
    if _loaded_library is not None:
        compile_mechanisms(_loaded_mod_dir, cache_dir=_loaded_cache)
        return _loaded_library
    from neuron import h
    mod_dir = MOD_DIR if mod_dir is None else mod_dir
    cache_dir = op.abspath(cache_root())
    lib = compile_mechanisms(mod_dir, cache_dir=cache_dir)
    if hasattr(h, 'DriveSource'):
        # e.g. a forked worker
        _loaded_library, _loaded_cache, _loaded_mod_dir = lib, cache_dir, mod_dir
        return lib
    if announce is not None:
        announce(lib)
    elif verbose:
        print(f'Loading custom mechanism files from {lib}', flush=True)
    _load_library(lib)
    _loaded_library, _loaded_cache, _loaded_mod_dir = lib, cache_dir, mod_dir
    return lib
