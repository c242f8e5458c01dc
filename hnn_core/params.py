"""Model parameters: HNN's parameter files and a dict with wildcard look-up.

HNN keeps every setting of a simulation in one flat key -> value table, stored as
JSON (``default.json``) or in the legacy ``.param`` text format (``key: value``
lines). :class:`Params` holds exactly the keys of HNN's template, which has one
block of evoked-input keys per ``t_evprox_<k>`` / ``t_evdist_<k>`` key of the input;
values not given take the template's defaults.
"""

import copy
import fnmatch
import itertools
import json
import math
import numbers
import os.path as op
import re
import reprlib
import warnings

from ._fileio import _atomic_write
from ._validate import _validate_type

_PYR_SECTIONS = {
    'L2Pyr': {'soma': (22.1, 23.4), 'apicaltrunk': (59.5, 4.25),
              'apical1': (306., 4.08), 'apicaltuft': (238., 3.4),
              'apicaloblique': (340., 3.91), 'basal1': (85., 4.25),
              'basal2': (255., 2.72), 'basal3': (255., 2.72)},
    'L5Pyr': {'soma': (39., 28.9), 'apicaltrunk': (102., 10.2),
              'apical1': (680., 7.48), 'apical2': (680., 4.93),
              'apicaltuft': (425., 3.4), 'apicaloblique': (255., 5.1),
              'basal1': (85., 6.8), 'basal2': (255., 8.5), 'basal3': (255., 8.5)},
}
_PYR_CM = {'L2Pyr': 0.6195, 'L5Pyr': 0.85}
_PYR_CHANNELS = {  # (soma, dendrites)
    'L2Pyr': {'gkbar_hh2': (0.01, 0.01), 'gnabar_hh2': (0.18, 0.15),
              'el_hh2': (-65., -65.), 'gl_hh2': (4.26e-5, 4.26e-5),
              'gbar_km': (250., 250.)},
    'L5Pyr': {'gkbar_hh2': (0.01, 0.01), 'gnabar_hh2': (0.16, 0.14),
              'el_hh2': (-65., -71.), 'gl_hh2': (4.26e-5, 4.26e-5),
              'gbar_ca': (60., 60.), 'taur_cad': (20., 20.),
              'gbar_kca': (2e-4, 2e-4), 'gbar_km': (200., 200.),
              'gbar_cat': (2e-4, 2e-4), 'gbar_ar': (1e-6, 1e-6)},
}
_SYNAPSES = {'ampa': (0., 0.5, 5.), 'nmda': (0., 1., 20.), 'gabaa': (-80., 0.5, 5.),
             'gabab': (-80., 1., 20.)}
_SHORT_TYPES = ('L2Basket', 'L2Pyr', 'L5Basket', 'L5Pyr')
_GAUSS_SIGMA = {'L2Basket': 3.6, 'L2Pyr': 3.6, 'L5Basket': 2., 'L5Pyr': 4.8}

# Keys that HNN defines (in default.param or later hnn-core versions) but that
# the template does not hold: a file may carry them, they are not used.
_KNOWN_EXTRA = re.compile(
    r'^(save_vsoma|prng_seedcore_opt|record_vsec|record_isec|record_ca'
    r'|Itonic_(A|t0|T)_(L2Pyr_soma|L5Pyr_soma|L2Basket|L5Basket)'
    r'|(gbar_ev(prox|dist)_\d+_(L2Pyr|L5Pyr|L2Basket|L5Basket)(_ampa|_nmda)?'
    r'|(t|sigma_t|prng_seedcore|numspikes)_ev(prox|dist)_\d+))$')


# Keys of the template that HNN's own files (default.json, default.param) do not
# hold: a file without them takes their defaults as intended, so nobody is told.
_NOT_IN_HNN_FILES = re.compile(
    r'^((L2Basket|L2Pyr|L5Basket|L5Pyr)_Gauss_(A_weight|mu|sigma)'
    r'|distribution_(prox|dist)'
    r'|dt_evprox0_(evdist|evprox1)|record_(isoma|vsoma)|sim_prefix|spec_cmap)$')
# The defaults that shape a run most, named first when a file lacks them.
_MAIN_KEYS = ('N_pyr_x', 'N_pyr_y', 'tstop', 'dt', 'N_trials', 'celsius', 'threshold')
_INPUT_WEIGHT = re.compile(r'^(gbar_ev(prox|dist)_|input_(prox|dist)_A_weight_'
                           r'|\w+_(Gauss|Pois)_A_weight)')
_TONIC_AMPLITUDE = re.compile(r'^Itonic_A_(L2Pyr|L5Pyr|L2Basket|L5Basket)(_soma)?$')
_SHORT_TO_TYPE = {'L2Basket': 'L2_basket', 'L2Pyr': 'L2_pyramidal',
                  'L5Basket': 'L5_basket', 'L5Pyr': 'L5_pyramidal'}
# beyond this many levels a nested JSON value is no parameter file, and the
# parser's recursion is better stopped with the file's name than by Python
_MAX_JSON_DEPTH = 100

_WILDCARD = re.compile(r'[*?\[]')
DEFAULT_PARAMS = op.join(op.dirname(op.abspath(__file__)), 'param', 'default.json')


def required(params, key):
    """``params[key]``, or a ValueError that names the missing parameter."""
    try:
        return params[key]
    except KeyError:
        raise ValueError(f'The parameter {key!r} is missing from params; it is '
                         f'defined in {DEFAULT_PARAMS}') from None


def _template(n_prox=2, n_dist=1):
    """HNN's parameter template with its default values.

    Defaults switch the external inputs off (zero weights, starts beyond tstop);
    the cell values are those of Jones et al. 2009.
    """
    p = {'sim_prefix': 'default', 'tstop': 250., 'N_pyr_x': 1, 'N_pyr_y': 1}
    for short in _SHORT_TYPES:
        p.update({f'{short}_Gauss_A_weight': 0., f'{short}_Gauss_mu': 2000.,
                  f'{short}_Gauss_sigma': _GAUSS_SIGMA[short],
                  f'{short}_Pois_A_weight_ampa': 0., f'{short}_Pois_A_weight_nmda': 0.,
                  f'{short}_Pois_lamtha': 0.})
    for key in ('L2Pyr_L2Pyr_ampa', 'L2Pyr_L2Pyr_nmda', 'L2Basket_L2Pyr_gabaa',
                'L2Basket_L2Pyr_gabab', 'L2Pyr_L2Basket', 'L2Basket_L2Basket',
                'L5Pyr_L5Pyr_ampa', 'L5Pyr_L5Pyr_nmda', 'L2Pyr_L5Pyr', 'L2Basket_L5Pyr',
                'L5Basket_L5Pyr_gabaa', 'L5Basket_L5Pyr_gabab', 'L5Basket_L5Basket',
                'L5Pyr_L5Basket', 'L2Pyr_L5Basket'):
        p[f'gbar_{key}'] = 0.
    # rhythmic (bursty) proximal and distal inputs
    for where, short, delays in (('prox', 'prox', (0.1, 1.0)), ('dist', 'dist', (5., 5.))):
        p.update({f'distribution_{short}': 'normal', f't0_input_{short}': 1000.,
                  f'tstop_input_{short}': 250., f'f_input_{short}': 10.,
                  f'f_stdev_{short}': 20., f'events_per_cycle_{short}': 2,
                  f'repeats_{short}': 10, f't0_input_stdev_{short}': 0.0})
        types = ('L2Pyr', 'L5Pyr', 'L2Basket') + (('L5Basket',) if where == 'prox' else ())
        for t in types:
            for receptor in ('ampa', 'nmda'):
                p[f'input_{where}_A_weight_{t}_{receptor}'] = 0.
        p[f'input_{where}_A_delay_L2'] = delays[0]
        p[f'input_{where}_A_delay_L5'] = delays[1]
    p.update({'dt_evprox0_evdist': -1, 'dt_evprox0_evprox1': -1, 'sync_evinput': 1,
              'inc_evinput': 0.0, 'save_spec_data': 0, 'f_max_spec': 40.,
              'spec_cmap': 'jet', 'dipole_scalefctr': 30e3, 'dipole_smooth_win': 15.0,
              'save_figs': 0, 'save_dpl': 0, 'record_vsoma': 0, 'record_isoma': 0,
              'N_trials': 1, 'prng_seedcore_input_prox': 0,
              'prng_seedcore_input_dist': 0, 'prng_seedcore_extpois': 0,
              'prng_seedcore_extgauss': 0, 't0_pois': 0., 'T_pois': -1, 'dt': 0.025,
              'celsius': 37.0, 'threshold': 0.0})
    for short, sections in _PYR_SECTIONS.items():
        for sec, (length, diam) in sections.items():
            p[f'{short}_{sec}_L'] = length
            p[f'{short}_{sec}_diam'] = diam
        for part in ('soma', 'dend'):
            p[f'{short}_{part}_cm'] = _PYR_CM[short]
            p[f'{short}_{part}_Ra'] = 200.
        for receptor, (e, tau1, tau2) in _SYNAPSES.items():
            p.update({f'{short}_{receptor}_e': e, f'{short}_{receptor}_tau1': tau1,
                      f'{short}_{receptor}_tau2': tau2})
        for name, (soma, dend) in _PYR_CHANNELS[short].items():
            p[f'{short}_soma_{name}'] = soma
            p[f'{short}_dend_{name}'] = dend
    for prefix, n, types in (('evprox', n_prox, _SHORT_TYPES),
                             ('evdist', n_dist, ('L2Basket', 'L2Pyr', 'L5Pyr'))):
        for k in range(1, n + 1):
            for t in types:
                for receptor in ('ampa', 'nmda'):
                    p[f'gbar_{prefix}_{k}_{t}_{receptor}'] = 0.
            p.update({f't_{prefix}_{k}': 0., f'sigma_t_{prefix}_{k}': 0.,
                      f'prng_seedcore_{prefix}_{k}': 0, f'numspikes_{prefix}_{k}': 1})
    return p


def _count_evoked_inputs(params):
    """Numbers of proximal and distal evoked inputs: the t_evprox_* / t_evdist_* keys."""
    n_prox = n_dist = 0
    for key in params:
        if isinstance(key, str) and key.startswith('t_'):
            if 'evprox' in key:
                n_prox += 1
            elif 'evdist' in key:
                n_dist += 1
    return n_prox, n_dist


def _is_number(value):
    return isinstance(value, numbers.Real)


def _check_finite_value(key, value):
    """No parameter may be NaN or infinite: refuse them under the key's name.

    Text that reads as a non-finite number (``nan``, ``inf`` in a .param file)
    is named as such, so that the message says what is wrong with it.
    """
    non_finite = _is_number(value) and not math.isfinite(value)
    if isinstance(value, str):
        try:
            non_finite = not math.isfinite(float(value))
        except ValueError:
            pass
    if non_finite:
        raise ValueError(f'The parameter {key!r} must be a finite number, got '
                         f'{value!r}')


def _check_value(key, value, default):
    """A value must have the kind of its template default (number or text)."""
    if isinstance(default, str):
        ok = isinstance(value, str)
        kind = 'text'
    else:
        _check_finite_value(key, value)
        ok = _is_number(value)
        kind = 'a number'
    if not ok:
        raise ValueError(f'The parameter {key!r} must be {kind}, got {value!r}')


def _check_keys(params_input):
    for key in params_input:
        if not isinstance(key, str):
            raise TypeError(f'params_input keys must be text (parameter names), got '
                            f'{key!r} ({type(key).__name__})')


def _dropped_tonic_inputs(params_input):
    """Warn about tonic inputs with a current: Params drops them (as hnn-core 0.6.1)."""
    active = [(k, v) for k, v in params_input.items()
              if _TONIC_AMPLITUDE.match(k) and _is_number(v) and v != 0]
    if not active:
        return
    listed = ', '.join(f'{k} ({v:g} nA)' for k, v in active)
    amplitudes = ', '.join(f'{_SHORT_TO_TYPE[k.split("_")[2]]!r}: {v:g}'
                           for k, v in active)
    inputs = 'input' if len(active) == 1 else 'inputs'
    verb = 'is' if len(active) == 1 else 'are'
    warnings.warn(f'the tonic {inputs} {listed} {verb} not applied: parameter files\' '
                  'tonic inputs (Itonic_*) are dropped, as in hnn-core 0.6.1; add '
                  f'them with net.add_tonic_bias(amplitude={{{amplitudes}}}, t0=..., '
                  'tstop=...)', UserWarning, stacklevel=3)


class Params(dict):
    """Model parameters: a dict restricted to HNN's template, with wildcards.

    Parameters
    ----------
    params_input : dict | None
        Values to use, keyed by parameter name; keys of the template not given
        take their defaults. Numbers must be finite. Keys that HNN defines but
        the model does not use (e.g. ``save_vsoma``) are dropped silently, and
        ``Itonic_*`` tonic inputs too, with a warning if they carry a current
        (as in hnn-core 0.6.1, they are not applied); keys no HNN version
        defines are dropped with a warning that names them.

    Notes
    -----
    ``params['L2Pyr_soma*']`` returns a new Params holding the entries whose key
    matches the shell-style pattern; ``params['gbar_*'] = 0.`` sets every match.
    ``print(params)`` shows the parameters as sorted, indented JSON.
    """

    def __init__(self, params_input=None):
        super().__init__()
        if params_input is None:
            params_input = {}
        _validate_type(params_input, dict, 'params_input')
        _check_keys(params_input)
        for key, value in params_input.items():
            _check_finite_value(key, value)
        template = _template(*_count_evoked_inputs(params_input))
        unknown = [k for k in params_input
                   if k not in template and not _KNOWN_EXTRA.match(str(k))]
        if unknown:
            warnings.warn('Ignoring parameter(s) that no HNN version defines: '
                          f'{", ".join(map(repr, unknown))}', UserWarning,
                          stacklevel=2)
        for key, default in template.items():
            if key in params_input:
                _check_value(key, params_input[key], default)
                dict.__setitem__(self, key, params_input[key])
            else:
                dict.__setitem__(self, key, default)
        _dropped_tonic_inputs(params_input)

    @classmethod
    def _from_dict(cls, values):
        """A Params holding exactly ``values`` (no template)."""
        out = cls.__new__(cls)
        dict.update(out, values)
        return out

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if isinstance(key, str):
            matches = fnmatch.filter(self.keys(), key)
            if matches:
                return Params._from_dict({k: copy.deepcopy(dict.__getitem__(self, k))
                                          for k in matches})
        raise KeyError(key)

    def __setitem__(self, key, value):
        if not dict.__contains__(self, key) and isinstance(key, str):
            matches = fnmatch.filter(self.keys(), key)
            if matches:
                _check_finite_value(matches[0], value)
                for k in matches:
                    dict.__setitem__(self, k, value)
                return
            if _WILDCARD.search(key):
                # a mistyped pattern would otherwise be stored as a key of its own
                raise KeyError(f'No parameter matches the pattern {key!r}')
            if key not in _template() and not _KNOWN_EXTRA.match(key):
                warnings.warn(f'{key!r} is not a parameter that any HNN version '
                              'defines: it is stored, but the model does not read it',
                              UserWarning, stacklevel=2)
        _check_finite_value(key, value)
        dict.__setitem__(self, key, value)

    def copy(self):
        """A deep copy."""
        out = Params._from_dict(copy.deepcopy(dict(self)))
        out.__dict__.update(self.__dict__)  # the file it was read from, if any
        return out

    def __str__(self):
        return json.dumps(self, sort_keys=True, indent=4)

    def __repr__(self):
        return f'<Params | {len(self)} parameters>'

    def write(self, fname):
        """Write the parameters to a .json file or a legacy .param file.

        The file appears only once it is complete: a failure (e.g. a full disk)
        leaves any earlier file of that name as it was.
        """
        _validate_type(fname, 'path-like', 'fname')
        ext = op.splitext(str(fname))[1]
        if ext == '.json':
            with _atomic_write(fname) as fid:
                json.dump(self, fid)
        elif ext == '.param':
            with _atomic_write(fname) as fid:
                for key, value in self.items():
                    if isinstance(value, bool):
                        value = int(value)
                    fid.write(f'{key}: {value!r}\n' if isinstance(value, float)
                              else f'{key}: {value}\n')
        else:
            raise ValueError(f'Unrecognized extension {ext!r} of {fname}; allowed '
                             "extensions are '.json' and '.param'")


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r'[^\[\]{}]+')
_BRACKET_STEP = {'[': 1, '{': 1, ']': -1, '}': -1}


def _json_depth_limited(text, fname, max_depth):
    """Raise ValueError naming ``fname`` if ``text`` nests deeper than ``max_depth``.

    Brackets inside strings do not count. Checked before parsing, as the JSON
    parser and whatever walks its result recurse once per level and would end in
    a RecursionError.
    """
    brackets = _NOT_BRACKET.sub('', _JSON_STRING.sub('""', text))
    depths = itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets))
    if max(depths, default=0) > max_depth:
        raise ValueError(f'{fname} is nested too deeply (more than {max_depth} '
                         'levels of [ and {)')


def _load_json(fname, max_depth=_MAX_JSON_DEPTH):
    """Parse a JSON file; errors and repeated keys are reported with its name.

    Returns the parsed value. A key set twice in one object is a warning (the
    last value is kept, as by every JSON reader).
    """
    with open(fname, encoding='utf-8') as fid:
        text = fid.read()
    _json_depth_limited(text, fname, max_depth)

    def pairs_hook(pairs):
        counts = {}
        for key, _ in pairs:
            counts[key] = counts.get(key, 0) + 1
        out = dict(pairs)
        for key, count in counts.items():
            if count > 1:
                times = 'twice' if count == 2 else f'{count} times'
                warnings.warn(f'{fname}: {key!r} is set {times}; the last value '
                              f'({out[key]!r}) is used', UserWarning, stacklevel=4)
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as err:
        raise ValueError(f'{fname} is not valid JSON: {err}') from None
    except RecursionError:
        raise ValueError(f'{fname} is nested too deeply to be read') from None


def _read_json(fname):
    params = _load_json(fname)
    if not isinstance(params, dict):
        raise ValueError(f'{fname} must hold one JSON object of key: value pairs')
    for key, value in params.items():
        if not isinstance(value, (int, float, str, bool)):
            raise ValueError(f'{fname}: the value of {key!r} must be a number, a '
                             f'boolean or text, got {reprlib.repr(value)}')
    return params


def _parse_param_value(text):
    """A float if it has '.' or 'e', else an int, else the text (HNN's rule)."""
    try:
        if '.' in text or 'e' in text:
            return float(text)
        return int(text)
    except ValueError:
        return text


def _read_param_file(fname):
    params, first_line = {}, {}
    with open(fname) as fid:
        for line_no, line in enumerate(fid, start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith('#'):
                continue
            fields = stripped.split(':')
            if len(fields) != 2 or not fields[0].strip():
                raise ValueError(f'{fname}, line {line_no}: expected "key: value", '
                                 f'got {line.rstrip()!r}')
            key, value = fields[0].strip(), fields[1].strip()
            if key in first_line:
                # HNN keeps the last value; say so, as it is most likely a slip
                warnings.warn(f'{fname}, line {line_no}: {key!r} is set again (first '
                              f'on line {first_line[key]}); the last value is used',
                              UserWarning, stacklevel=3)
            first_line.setdefault(key, line_no)
            params[key] = _parse_param_value(value)
    return params


def read_params(params_fname):
    """Read a parameter file.

    Parameters
    ----------
    params_fname : str
        A ``.json`` file (one JSON object) or a legacy ``.param`` file (one
        ``key: value`` per line; a value is a float if it contains '.' or 'e',
        else an integer, else text).

    Returns
    -------
    params : Params

    Notes
    -----
    Errors name the file and the key (or line): a value that is not finite
    (``NaN``, ``Infinity``, ``1e999``, ``nan`` or ``inf``), of the wrong kind,
    or nested more than 100 levels deep is a ValueError. Warnings, naming the
    file, say what is not used as written: a key set twice (the last value is
    used), keys no HNN version defines, tonic inputs with a current (dropped,
    as in hnn-core 0.6.1), and the defaults taken for parameters that HNN's
    files hold but this one does not set.
    """
    _validate_type(params_fname, 'path-like', 'params_fname')
    ext = op.splitext(str(params_fname))[1]
    readers = {'.json': _read_json, '.param': _read_param_file}
    if ext not in readers:
        raise ValueError(f'Unrecognized extension {ext!r} of {params_fname}; allowed '
                         "extensions are '.json' and '.param'")
    try:
        values = readers[ext](params_fname)
    except RecursionError:  # nesting that the depth check did not foresee
        raise ValueError(f'{params_fname} is nested too deeply to be read') from None
    except UnicodeDecodeError as err:
        raise ValueError(f'{params_fname} is not a text file ({err.reason} at byte '
                         f'{err.start})') from None
    if not values:
        raise ValueError(f'{params_fname} holds no parameters')
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            params = Params(values)
    except ValueError as err:
        raise ValueError(f'{params_fname}: {err}') from None
    for w in caught:
        warnings.warn(f'{params_fname}: {w.message}', w.category, stacklevel=2)
    _defaults_note(params_fname, values, params)
    params._source = str(params_fname)
    return params


def _defaults_note(fname, values, params):
    """Warn, naming them, about defaults taken for keys a file does not set.

    Keys that HNN's own files do not hold either (e.g. the Gaussian input's)
    are not counted: their defaults are what those files mean.
    """
    missing = [k for k in params if k not in values and not _NOT_IN_HNN_FILES.match(k)]
    if not missing:
        return
    shown = [k for k in _MAIN_KEYS if k in missing]
    shown += [k for k in missing if k not in shown][:max(0, 8 - len(shown))]
    listed = ', '.join(f'{k}={params[k]!r}' for k in shown)
    more = len(missing) - len(shown)
    text = (f'{fname} does not set {len(missing)} of the parameters that HNN\'s '
            f'parameter files hold; they take the defaults {listed}'
            + (f' and {more} more (print(params) shows all)' if more else ''))
    weights = [k for k in params if _INPUT_WEIGHT.match(k)]
    if not any(_is_number(params[k]) and params[k] > 0 for k in weights):
        text += '; no input has a positive weight, so nothing drives the network'
    warnings.warn(text, UserWarning, stacklevel=3)


def _nulled(drive):
    """Whether a drive from a legacy parameter file is a placeholder that never fires."""
    dyn = drive['dynamics']
    start, stop = dyn.get('tstart'), dyn.get('tstop')
    if start is not None and stop is not None and (start > stop or start < 0 or
                                                   stop < 0):
        return True
    weights = list(drive['weights_ampa'].values()) + list(drive['weights_nmda'].values())
    return not any(w > 0 for w in weights)


def convert_to_json(params_fname, out_fname, include_drives=True, overwrite=True):
    """Turn a parameter file into a network configuration file.

    The parameters (a legacy ``.param`` file, read in HNN-GUI's legacy mode, or
    a flat ``.json`` file) make :func:`~hnn_core.neymotin_2020_model`; its
    drives are the file's, without the placeholder drives legacy files carry
    (a start after the stop, or no positive weight). The network is written with
    :meth:`~hnn_core.Network.write_configuration`, as hnn-core 0.6.1 does.

    Parameters
    ----------
    params_fname : str | path-like
        The parameter file.
    out_fname : str | path-like
        The configuration file to write; ``.json`` is added if missing.
    include_drives : bool
        Include the drives the parameters describe.
    overwrite : bool
        Replace an existing file.
    """
    from pathlib import Path
    from .network_models import neymotin_2020_model
    _validate_type(params_fname, 'path-like', 'params_fname')
    _validate_type(out_fname, 'path-like', 'out_fname')
    _validate_type(include_drives, bool, 'include_drives')
    params_fname, out_fname = Path(params_fname), Path(out_fname)
    if out_fname.suffix != '.json':
        out_fname = out_fname.with_suffix('.json')
    net = neymotin_2020_model(params=read_params(params_fname),
                              add_drives_from_params=include_drives,
                              legacy_mode=params_fname.suffix.lower() == '.param')
    for name in [n for n, d in net.external_drives.items() if _nulled(d)]:
        del net.external_drives[name]
    # hnn-core 0.6.1 adds the drives it keeps again, after the local connections
    drives = net.external_drives
    net.connectivity[:] = ([c for c in net.connectivity if c['src_type'] not in drives]
                           + [c for c in net.connectivity if c['src_type'] in drives])
    net.write_configuration(out_fname, overwrite=overwrite)
