"""Make CoreNEURON's generated channel loops vectorisable.

Two rewrites of the generated C++, each leaving the arithmetic as it was: the
rate-table lookups lose their branches (below), and a state loop that ends by
writing ion values back through the node index (the calcium pool's ``cai`` and
``eca``) has those writes moved to a loop of its own (:func:`split_ion_writes`),
since a CPU without vector scatters (AVX2) would otherwise run it scalar.

The channels' rate tables are part of the model, so their values must stay. In
the C++ that CoreNEURON's code generator writes for a ``TABLE`` statement, the
lookup is surrounded by branches (``usetable``, NaN checks, early returns at the
table ends) that stop the compiler from vectorising the per-segment loops, so
every state update calls the scalar ``exp``. This module rewrites each such lookup
into the same interpolation without those branches (the indices are clamped
instead), which lets gcc vectorise the loops and call the vectorised ``exp``.

Within the table the result is bit-identical: ``xi``, the index and
``theta = xi - i`` are computed as before. Below the table, theta is 0 and the
value is the first entry, as before. Above it, the value is
``t[N-1] + 1 * (t[N] - t[N-1])``, which equals ``t[N]`` up to one rounding.

Two generators are known: NEURON 9's (the NMODL framework, lookups of
``inst->global`` tables) and NEURON 8.2's (mod2c, lookups of static ``_t_``
arrays). (Reading precomputed tables from GLOBAL arrays instead would need no
rewriting, but the CoreNEURON of NEURON 9.0 registers GLOBAL arrays with the
wrong address and crashes in ``set_globals``.)

The rewrite is applied only where the generated code has exactly one of these
shapes; anything else is left as generated (correct, just not vectorised) and
is reported, so that a NEURON whose code generator changed does not make every
simulation slower without anyone noticing. The lookups that should have been
rewritten are counted from the ``TABLE`` statements of the ``.mod`` file that
the generator copies beside its C++ (from the generated code itself where that
copy is missing), so the count does not depend on the generator's shape.
"""

import glob
import os.path as op
import re

# NEURON 9: one lookup function with the usetable branch, the NaN branch, the
# out-of-range branch, then the interpolation lines.
_LOOKUP = re.compile(
    r'(?P<head>inline static int \w+\(int id, int pnodecount, \w+\* inst, '
    r'[^)]*\)\{\n)'
    r'\s*if \(inst->global->usetable == 0\) \{\n.*?\n\s*\}\n'
    r'\s*double xi = (?P<xi>inst->global->mfac_\w+ \* \(_l\w+ - '
    r'inst->global->tmin_\w+\));\n'
    r'\s*if \(isnan\(xi\)\) \{.*?return 0;\n\s*\}\n'
    r'\s*if \(xi <= 0\. \|\| xi >= (?P<n>[0-9]+)\.?\) \{.*?return 0;\n\s*\}\n'
    r'\s*int i = int\(xi\);\n\s*double theta = xi - double\(i\);\n'
    r'(?P<lines>(?:\s*inst->\w+\[id\] = inst->global->t_\w+\[i\] \+ '
    r'theta\*\(inst->global->t_\w+\[i\+1\]-inst->global->t_\w+\[i\]\);\n)+)'
    r'\s*return 0;\n\s*\}', re.S)
_ASSIGN = re.compile(r'inst->(\w+)\[id\] = inst->global->(t_\w+)\[i\]')

# NEURON 8.2 (mod2c): the same branches in the _n_<procedure> function.
_LOOKUP_MOD2C = re.compile(
    r'(?P<head> static void _n_(?P<proc>\w+)\(_threadargsproto_, double '
    r'(?P<arg>_l\w+)\)\{ int _i, _j;\n double _xi, _theta;\n)'
    r' if \(!usetable\) \{\n _f_(?P=proc)\(_threadargs_, (?P=arg)\); return; \n\}\n'
    r' _xi = (?P<xi>_mfac_(?P=proc) \* \((?P=arg) - _tmin_(?P=proc)\));\n'
    r' if \(isnan\(_xi\)\) \{\n(?:  \w+ = _xi;\n)+  return;\n \}\n'
    r' if \(_xi <= 0\.\) \{\n(?: \w+ = _t_\w+\[0\];\n)+ return; \}\n'
    r' if \(_xi >= (?P<n>[0-9]+)\.\) \{\n(?: \w+ = _t_\w+\[(?P=n)\];\n)+ return; \}\n'
    r' _i = \(int\) _xi;\n _theta = _xi - \(double\)_i;\n'
    r'(?P<lines>(?: \w+ = _t_\w+\[_i\] \+ _theta\*\(_t_\w+\[_i\+1\] - '
    r'_t_\w+\[_i\]\);\n)+)'
    r' \}\n')
_ASSIGN_MOD2C = re.compile(r' (\w+) = (_t_\w+)\[_i\] \+')

_TABLE = re.compile(r'\bvoid update_table_\w+\(|'
                    r'\bstatic void _check_\w+\(_threadargsproto_\) \{')
_INCLUDES = '#include <algorithm>\n#include <cmath>\n'


def _branch_free(match):
    n = int(match.group('n'))
    out = [match.group('head'),
           f'        double xi = {match.group("xi")};\n',
           f'        double xc = std::fmin(std::fmax(xi, 0.), {n}.);\n',
           f'        int i = std::min(int(xc), {n - 1});\n',
           '        double theta = xc - double(i);\n']
    for var, table in _ASSIGN.findall(match.group('lines')):
        out.append(f'        inst->{var}[id] = inst->global->{table}[i] + theta*'
                   f'(inst->global->{table}[i+1]-inst->global->{table}[i]);\n')
    out.append('        return 0;\n    }')
    return ''.join(out)


def _branch_free_mod2c(match):
    n = int(match.group('n'))
    out = [match.group('head'),
           f' _xi = {match.group("xi")};\n',
           f' double _xc = std::fmin(std::fmax(_xi, 0.), {n}.);\n',
           f' _i = std::min((int) _xc, {n - 1});\n',
           ' _theta = _xc - (double)_i;\n']
    for var, table in _ASSIGN_MOD2C.findall(match.group('lines')):
        out.append(f' {var} = {table}[_i] + _theta*({table}[_i+1] - {table}[_i]);\n')
    out.append(' }\n')
    return ''.join(out)


# NEURON 8.2's mechanism loops are marked "GCC ivdep", which lets gcc vectorise
# them only where it inlines every call on its own; "omp simd" (the build has
# -fopenmp) makes it vectorise them, once the procedures they call are inlined.
_IVDEP_MOD2C = '#define _PRAGMA_FOR_VECTOR_LOOP_ _Pragma("GCC ivdep")'
_SIMD_MOD2C = '#define _PRAGMA_FOR_VECTOR_LOOP_ _Pragma("omp simd")'
_CALLEES_MOD2C = re.compile(
    r'^(?P<indent> ?)static (?:inline )?(?P<type>int|void|double) +'
    r'(?P<name>_n_\w+|_nrn_current|states|rates|_f_\w+) ?\(', re.M)


def _simd_mod2c(source):
    """Mark the loops of a mod2c file "omp simd" and inline what they call."""
    if _IVDEP_MOD2C not in source:
        return source
    source = source.replace(_IVDEP_MOD2C, _SIMD_MOD2C)
    return _CALLEES_MOD2C.sub(
        r'\g<indent>static inline __attribute__((always_inline)) \g<type> \g<name>(',
        source)


def tables_in_mod(text):
    """How many TABLE statements an NMODL text has (comments left out)."""
    text = re.sub(r'(?ms)^\s*COMMENT\b.*?^\s*ENDCOMMENT\b', '', text)
    text = re.sub(r':[^\n]*', '', text)
    return len(re.findall(r'\bTABLE\b', text))


def rewrite_source(source, n_tables=None):
    """Rewrite the table lookups of one generated C++ file.

    Parameters
    ----------
    source : str
        The generated C++.
    n_tables : int | None
        How many tables the mechanism has (its TABLE statements); None counts
        the table-making functions of the generated code.

    Returns
    -------
    new : str
        The source with each lookup of a known shape made branch-free.
    n_rewritten : int
        How many lookups were rewritten.
    n_tables : int
        How many tables the file has (each should have had its lookup rewritten).
    """
    new, n_nrn9 = _LOOKUP.subn(_branch_free, source)
    new, n_mod2c = _LOOKUP_MOD2C.subn(_branch_free_mod2c, new)
    if n_mod2c:
        new = _simd_mod2c(new)
    n_rewritten = n_nrn9 + n_mod2c
    if n_rewritten and _INCLUDES not in new:
        new = _INCLUDES + new
    if n_tables is None:
        n_tables = len(_TABLE.findall(source))
    return new, n_rewritten, n_tables


# NEURON 9: a state loop that ends by writing ion values back through the node
# index (a calcium pool writes cai and eca). Those writes are scatters, which
# AVX2 lacks, so they keep the whole loop scalar there, exp and log included.
_STATE_HEAD = re.compile(r'void nrn_state_\w+\(NrnThread\* nt, Memb_list\* ml, int type\) \{\n')
_LOOP_HEAD = re.compile(r'^(?P<indent> *)for \(int id = 0; id < nodecount; id\+\+\) \{\n',
                        re.M)
_ION_WRITE = re.compile(r' *inst->ion_\w+\[indexes\[\d+\*pnodecount \+ id\]\] = '
                        r'inst->\w+\[id\];\n')


def split_ion_writes(source):
    """Move the ion write-backs that end a state loop into a loop of their own.

    Each instance reads and writes only the ion values of its own node, which
    no other instance of the mechanism touches (one instance per segment), so
    writing them back after the loop instead of at the end of each iteration
    gives the same values; the first loop, without scatters, can be vectorised.

    Returns
    -------
    new : str
        The source with each such loop split in two.
    n_split : int
        How many loops were split.
    """
    out, pos, n_split = [], 0, 0
    for head in _STATE_HEAD.finditer(source):
        loop = _LOOP_HEAD.search(source, head.end())
        if loop is None or '\n    }\n' in source[head.end():loop.start()]:
            continue  # no loop of the known shape in this function
        indent = loop.group('indent')
        close = source.find(f'\n{indent}}}\n', loop.end() - 1)
        if close < 0:
            continue
        lines = source[loop.end():close + 1].splitlines(keepends=True)
        k = len(lines)
        while k > 0 and _ION_WRITE.fullmatch(lines[k - 1]):
            k -= 1
        if k == len(lines) or k == 0:
            continue
        # the original closing brace (at close + 1) now ends the second loop
        out += [source[pos:loop.end()], *lines[:k], f'{indent}}}\n', loop.group(0),
                *lines[k:]]
        pos = close + 1
        n_split += 1
    out.append(source[pos:])
    return ''.join(out), n_split


def split_ion_writes_in(mod2c_dir):
    """Apply :func:`split_ion_writes` to every generated file; the names changed."""
    changed = []
    for fname in sorted(glob.glob(op.join(mod2c_dir, '*.cpp'))):
        with open(fname) as fid:
            source = fid.read()
        new, n_split = split_ion_writes(source)
        if n_split:
            with open(fname, 'w') as fid:
                fid.write(new)
            changed.append(op.basename(fname))
    return changed


def vectorize_table_lookups(mod2c_dir):
    """Rewrite the table lookups of every generated file in ``mod2c_dir``.

    Returns
    -------
    changed : list of str
        The names of the files that were rewritten.
    unmatched : list of str
        The names of the files with a table lookup that does not have a known
        shape (left as generated there).
    """
    changed, unmatched = [], []
    for fname in sorted(glob.glob(op.join(mod2c_dir, '*.cpp'))):
        with open(fname) as fid:
            source = fid.read()
        n_tables = None
        mod = fname[:-len('.cpp')] + '.mod'
        if op.isfile(mod):
            with open(mod) as fid:
                n_tables = tables_in_mod(fid.read())
        new, n_rewritten, n_tables = rewrite_source(source, n_tables)
        if n_rewritten:
            with open(fname, 'w') as fid:
                fid.write(new)
            changed.append(op.basename(fname))
        if n_rewritten < n_tables:
            unmatched.append(op.basename(fname))
    return changed, unmatched
