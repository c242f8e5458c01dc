"""Argument checks used at the public boundary.

Every check raises ``TypeError`` or ``ValueError`` with a message that names the
offending parameter and says what is allowed, so that users can fix a call without
reading the source.
"""

import numbers

import numpy as np

_TYPE_NAMES = {
    'int': (numbers.Integral,),
    'numeric': (numbers.Real,),
    'str': (str,),
    'path-like': (str,),
    'callable': None,
}


def _type_label(types):
    labels = []
    for t in types:
        if t is None:
            labels.append('None')
        elif isinstance(t, str):
            labels.append(t)
        else:
            labels.append(t.__name__)
    if len(labels) == 1:
        return labels[0]
    return ', '.join(labels[:-1]) + ' or ' + labels[-1]


def _validate_type(value, types, name, type_name=None):
    """Raise TypeError unless ``value`` is an instance of one of ``types``.

    ``types`` may contain classes, ``None`` and the shortcuts ``'int'``, ``'numeric'``
    (a real number, not a bool), ``'str'``, ``'path-like'`` and ``'callable'``.
    """
    if not isinstance(types, (tuple, list)):
        types = (types,)
    for t in types:
        if t is None and value is None:
            return value
        if t == 'callable' and callable(value):
            return value
        if t == 'path-like':
            import os
            if isinstance(value, (str, os.PathLike)):
                return value
            continue
        if isinstance(t, str) and t in _TYPE_NAMES and _TYPE_NAMES[t] is not None:
            if isinstance(value, bool) and t in ('int', 'numeric'):
                continue
            if isinstance(value, _TYPE_NAMES[t]):
                return value
        elif isinstance(t, type):
            if isinstance(value, bool) and t in (int, float):
                continue
            if isinstance(value, t):
                return value
    label = type_name if type_name is not None else _type_label(types)
    raise TypeError(f'{name} must be an instance of {label}, got '
                    f'{type(value).__name__} ({value!r})')


def _check_option(name, value, allowed):
    """Raise ValueError unless ``value`` is one of ``allowed``."""
    try:
        known = value in allowed
    except (TypeError, ValueError):  # e.g. an array, whose == gives an array
        known = False
    if not known:
        options = ', '.join(repr(a) for a in allowed)
        raise ValueError(f'Invalid value for the {name!r} parameter: {value!r}. '
                         f'Allowed values are {options}.')
    return value


def _finite(value):
    """Whether a real number is finite (a Python int too large for a float is not)."""
    try:
        return bool(np.isfinite(float(value)))
    except OverflowError:
        return False


def _check_nonnegative(name, value, strict=False):
    """Raise ValueError for a negative (or, with ``strict``, zero) number."""
    _validate_type(value, 'numeric', name)
    if not _finite(value) or value < 0 or (strict and value == 0):
        bound = '> 0' if strict else '>= 0'
        raise ValueError(f'{name} must be a finite number {bound}, got {value!r}')
    return value


def _check_int(name, value, minimum=None):
    """Return ``value`` as int; raise unless it is an integer >= ``minimum``."""
    _validate_type(value, 'int', name)
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f'{name} must be an integer >= {minimum}, got {value}')
    return value


def _check_probability(name, value):
    """Raise unless ``value`` is a probability in (0, 1]."""
    _validate_type(value, 'numeric', name, 'float')
    if not 0 < value <= 1:
        raise ValueError(f'{name} must be in (0, 1], got {value}')
    return value


def _check_new_name(name, taken):
    """A new cell type or drive name: one word, not among ``taken`` (nor 'origin')."""
    _validate_type(name, str, 'name')
    if not name or any(ch.isspace() for ch in name):
        raise ValueError(f'name must be a non-empty string without white space (it '
                         f'is one column of the spike files), got {name!r}')
    if name in taken or name == 'origin':
        raise ValueError(f'A cell type or drive named {name!r} already exists; '
                         'choose another name')
    return name


def _check_finite(name, value, minimum=None, maximum=None, strict=False):
    """Return ``value`` as float; raise unless it is a finite real number in range.

    ``minimum`` and ``maximum`` bound it (inclusive; with ``strict`` the minimum
    itself is refused). Booleans are refused: ``True`` is not a duration.
    """
    _validate_type(value, 'numeric', name, 'float')
    if not _finite(value):
        raise ValueError(f'{name} must be a finite number, got {value!r:.40}')
    value = float(value)
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        raise ValueError(f'{name} must be {">" if strict else ">="} {minimum}, '
                         f'got {value!r}')
    if maximum is not None and value > maximum:
        raise ValueError(f'{name} must be <= {maximum}, got {value!r}')
    return value


# numpy's RandomState takes seeds from 0 to 2**32 - 1
SEED_MAX = 2 ** 32 - 1


def _check_seed(name, value, maximum=SEED_MAX):
    """Return ``value`` as int; raise unless it is an integer in [0, ``maximum``].

    ``maximum`` None: any integer >= 0 (numpy's ``default_rng`` takes those).
    """
    value = _check_int(name, value)
    if value < 0 or (maximum is not None and value > maximum):
        allowed = 'an integer >= 0' if maximum is None else \
            f'an integer from 0 to {maximum} (2**32 - 1)'
        raise ValueError(f'{name} must be {allowed}, got {value}')
    return value
