"""Model parameters: reading parameter files and a dict with wildcard look-up."""

import copy
import fnmatch
import json
import os.path as op

from ._validate import _validate_type


class Params(dict):
    """A dict of model parameters with shell-style wildcard look-up.

    ``params['L2Pyr_soma*']`` returns a new Params with the matching entries;
    ``params['gbar_*'] = 0.`` sets every matching entry.
    """

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if isinstance(key, str) and any(c in key for c in '*?['):
            matches = fnmatch.filter(self.keys(), key)
            if matches:
                return Params({k: copy.deepcopy(dict.__getitem__(self, k))
                               for k in matches})
        raise KeyError(key)

    def __setitem__(self, key, value):
        if (isinstance(key, str) and not dict.__contains__(self, key)
                and any(c in key for c in '*?[')):
            matches = fnmatch.filter(self.keys(), key)
            if matches:
                for k in matches:
                    dict.__setitem__(self, k, value)
                return
        dict.__setitem__(self, key, value)

    def copy(self):
        return copy.deepcopy(self)

    def __repr__(self):
        return f'<Params | {len(self)} parameters>'

    def __str__(self):
        return json.dumps(dict(self), sort_keys=True, indent=4)


def read_params(params_fname):
    """Read a parameter file (.json).

    Parameters
    ----------
    params_fname : str
        Path of the file.

    Returns
    -------
    params : Params
    """
    _validate_type(params_fname, 'path-like', 'params_fname')
    ext = op.splitext(str(params_fname))[1]
    if ext != '.json':
        raise ValueError(f'Unrecognized extension {ext!r} of {params_fname}; '
                         "allowed extensions are '.json'")
    with open(params_fname) as fid:
        try:
            params = json.load(fid)
        except json.JSONDecodeError as err:
            raise ValueError(f'{params_fname} is not valid JSON: {err}') from None
    if not isinstance(params, dict) or not params:
        raise ValueError(f'{params_fname} holds no parameters')
    return Params(params)
