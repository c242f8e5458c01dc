"""Mechanisms described in Python, compiled and loaded where a trial runs.

Each description (:mod:`hnn_core.channels`) becomes an NMODL file
(:mod:`.nmodl`) whose mechanism is named after the description and a digest
of its text, e.g. ``hcn_1a2b3c4d``: an edited description is another
mechanism, never mistaken for the one a process or a cached library already
holds (NEURON cannot unload or redefine a mechanism). Parameters keep their
names with that suffix (``gbar_hcn`` is ``gbar_hcn_1a2b3c4d`` in NEURON).

A process holds one library, chosen by the first trial it runs: the
package's own files, together with the generated files of that trial's
network, compiled as one. The generated files sort next to the files they are
named like, so a channel written like a built-in one is summed into the
membrane current in the same order as the built-in one and gives the same
numbers to the last bit. A later network whose described mechanisms that
library lacks runs in a new process (:mod:`.fresh`): NEURON could load a
second library beside the first, but CoreNEURON keeps the first library it
read for the life of the process, and mechanisms loaded later would be summed
in another order.

Every library goes through :func:`.mechanisms.compile_mechanisms`: cached per
user under a key over the texts, safe against concurrent builds.
"""
import hashlib
import os
import os.path as op
import shutil
import tempfile

from ..channels import Channel
from . import mechanisms
from .mechanisms import MOD_DIR, cache_root, compile_mechanisms, coreneuron_library
from .nmodl import channel_nmodl, synapse_nmodl

# the NEURON names of the described mechanisms in this process's library
_in_library = set()


def nrn_name(description):
    """The name of a description's mechanism in NEURON (name and digest)."""
    text = _nmodl(description, 'NAME')
    return f'{description.name}_{hashlib.sha256(text.encode()).hexdigest()[:8]}'


def _nmodl(description, name):
    if isinstance(description, Channel):
        return channel_nmodl(description, name)
    return synapse_nmodl(description, name)


def nmodl_files(descriptions):
    """``{file name: NMODL text}`` of the descriptions, named as in NEURON."""
    files = {}
    for description in descriptions:
        name = nrn_name(description)
        files[f'{name}.mod'] = _nmodl(description, name)
    return files


def _source_dir(files, with_builtins):
    """A directory holding these files (and the package's own): made once.

    Kept under the cache root, named by a digest of its contents, and written
    under a temporary name first, so a directory that exists is complete.
    """
    if with_builtins:
        files = dict(_builtin_files(), **files)
    digest = hashlib.sha256()
    for fname in sorted(files):
        digest.update(fname.encode() + b'\0' + files[fname].encode() + b'\0')
    root = op.join(op.abspath(cache_root()), 'sources')
    os.makedirs(root, mode=0o700, exist_ok=True)
    final = op.join(root, digest.hexdigest()[:16])
    if op.isdir(final):
        return final
    scratch = tempfile.mkdtemp(prefix='tmp-', dir=root)
    try:
        for fname, text in files.items():
            with open(op.join(scratch, fname), 'w') as fid:
                fid.write(text)
        try:
            os.rename(scratch, final)
        except OSError:  # another process made it meanwhile
            if not op.isdir(final):
                raise
    finally:
        if op.isdir(scratch):
            shutil.rmtree(scratch, ignore_errors=True)
    return final


def _builtin_files():
    files = {}
    for fname in sorted(os.listdir(MOD_DIR)):
        if fname.endswith('.mod'):
            with open(op.join(MOD_DIR, fname)) as fid:
                files[fname] = fid.read()
    return files


def _generated_names(mod_dir):
    """NEURON names of the generated files in a source directory."""
    if mod_dir == MOD_DIR:
        return set()
    builtin = _builtin_files()
    return {fname[:-4] for fname in os.listdir(mod_dir)
            if fname.endswith('.mod') and fname not in builtin}


def _is_built(mod_dir):
    key = mechanisms._build_key(mod_dir, mechanisms._neuron_version())
    lib, _ = mechanisms._check_build(op.join(op.abspath(cache_root()), key))
    return lib is not None


def _library_sources(files):
    """The source directory whose library a process should load for ``files``.

    Theirs with the package's files, unless it is not built yet and a library
    already built holds them all (and the package's files as they are now):
    more mechanisms than needed do no harm, and a test suite or a session
    that uses several sets then compiles one library, not one per set.
    """
    exact = _source_dir(files, with_builtins=True)
    if _is_built(exact):
        return exact
    root = op.dirname(exact)
    builtin = _builtin_files()
    wanted = dict(builtin, **files)
    for entry in sorted(os.listdir(root)):
        path = op.join(root, entry)
        if path == exact or entry.startswith('tmp-') or not op.isdir(path):
            continue
        present = set(os.listdir(path))
        if not set(wanted) <= present:
            continue
        # a generated file's name holds a digest of its text; the package's
        # files must be today's
        if not all(_read(op.join(path, fname)) == text
                   for fname, text in builtin.items()):
            continue
        if _is_built(path):
            return path
    return exact


def _read(path):
    with open(path) as fid:
        return fid.read()


def load(descriptions, verbose=False, announce=None):
    """Load the package's mechanisms and these descriptions' into this process.

    Returns ``{description name: NEURON name}``. A process that has loaded a
    library without them raises RuntimeError (:func:`can_run_here` says so
    beforehand).
    """
    names = {d.name: nrn_name(d) for d in descriptions}
    if not mechanisms.is_loaded():
        files = nmodl_files(descriptions)
        mod_dir = _library_sources(files) if files else MOD_DIR
        mechanisms.load_mechanisms(verbose, announce, mod_dir=mod_dir)
        _in_library.update(_generated_names(mod_dir))
        return names
    mechanisms.load_mechanisms(verbose, announce)
    missing = sorted(set(names) - {n for n, nrn in names.items() if nrn in _in_library})
    if missing:
        raise RuntimeError(f'This process loaded a mechanism library without '
                           f'{", ".join(missing)}; run the trial in a new process')
    return names


def can_run_here(plan):
    """Whether this process's library has the mechanisms ``plan`` describes."""
    if not mechanisms.is_loaded():
        return True
    return {nrn_name(d) for d in plan.descriptions} <= _in_library


def coreneuron_library_for(descriptions):
    """The CoreNEURON library holding the package's and these mechanisms.

    The loaded library's if it has them; else that of the package's files and
    these, compiled together (None where CoreNEURON cannot be built).
    """
    names = {nrn_name(d) for d in descriptions}
    if mechanisms.is_loaded() and names <= _in_library:
        return coreneuron_library(mechanisms.load_mechanisms())
    files = nmodl_files(descriptions)
    mod_dir = _library_sources(files) if files else MOD_DIR
    return coreneuron_library(compile_mechanisms(mod_dir))
