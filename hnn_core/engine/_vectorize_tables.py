"""Make CoreNEURON's generated rate-table lookups vectorisable.

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

(Reading precomputed tables from GLOBAL arrays instead would need no rewriting,
but the CoreNEURON of NEURON 9.0 registers GLOBAL arrays with the wrong address
and crashes in ``set_globals``.)

The rewrite is applied only where the generated code has exactly the expected
shape; anything else is left as generated (correct, just not vectorised) and is
reported, so that a NEURON whose code generator changed does not make every
simulation slower without anyone noticing. Each table has one ``update_table_``
function beside its lookup, which is how the lookups that should have been
rewritten are counted.
"""

import glob
import os.path as op
import re

# One generated lookup function: the usetable branch, the NaN branch, the
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
_TABLE = re.compile(r'\bvoid update_table_\w+\(')


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


def rewrite_source(source):
    """Rewrite the table lookups of one generated C++ file.

    Returns
    -------
    new : str
        The source with each lookup of the expected shape made branch-free.
    n_rewritten : int
        How many lookups were rewritten.
    n_tables : int
        How many tables the file has (each should have had its lookup rewritten).
    """
    new, n_rewritten = _LOOKUP.subn(_branch_free, source)
    if n_rewritten and '#include <algorithm>' not in new:
        new = '#include <algorithm>\n#include <cmath>\n' + new
    return new, n_rewritten, len(_TABLE.findall(source))


def vectorize_table_lookups(mod2c_dir):
    """Rewrite the table lookups of every generated file in ``mod2c_dir``.

    Returns
    -------
    changed : list of str
        The names of the files that were rewritten.
    unmatched : list of str
        The names of the files with a table lookup that does not have the
        expected shape (left as generated there).
    """
    changed, unmatched = [], []
    for fname in sorted(glob.glob(op.join(mod2c_dir, '*.cpp'))):
        with open(fname) as fid:
            source = fid.read()
        new, n_rewritten, n_tables = rewrite_source(source)
        if n_rewritten:
            with open(fname, 'w') as fid:
                fid.write(new)
            changed.append(op.basename(fname))
        if n_rewritten < n_tables:
            unmatched.append(op.basename(fname))
    return changed, unmatched
