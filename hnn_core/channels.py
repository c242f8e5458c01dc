"""Ion channels and synapses described in Python.

A :class:`Channel` describes a density mechanism the way a modeller writes it
down: parameters with units and defaults, gating variables with their rates
(``alpha``/``beta`` or ``inf``/``tau``) as expressions of the membrane
potential ``v`` and other named quantities, and the currents it carries. A
:class:`Synapse` describes a two-state synapse (the kinetic scheme of NEURON's
``Exp2Syn``) with an optional voltage-dependent factor such as an NMDA
magnesium block. Both are plain data: the expressions are parsed into trees
(:mod:`hnn_core.expressions`), checked here, and turned into NMODL by the
engine (:mod:`hnn_core.engine.nmodl`), which compiles and caches them with the
package's own mechanisms.

Names that an expression may read:

* ``v`` (mV), ``celsius`` (degC);
* the mechanism's parameters and the values it defines (``values``), each
  from its definition on;
* for a channel, its gates (inside currents and values read by currents), and
  the reversal potential and concentrations of the ions it declares
  (``ena``, ``ek``, ``eca``, ``cai``, ``cao``, ...).
"""
import math
import re
from copy import deepcopy
from dataclasses import dataclass

from .expressions import COMPARISONS, Expression, ExpressionError, _walk, BinOp

# ions NEURON knows without a mechanism declaring them, with their names
ION_NAMES = {'na': ('ena', 'nai', 'nao', 'ina'), 'k': ('ek', 'ki', 'ko', 'ik'),
             'ca': ('eca', 'cai', 'cao', 'ica')}
UNITS = ('mV', 'ms', 'degC', '/ms', 'S/cm2', 'mS/cm2', 'pS/um2', 'mA/cm2', 'uS', 'nA',
         'mM', 'um', '1')
# names of the package's own mechanisms and receptors: a description may not take one
BUILTIN_MECHANISMS = ('hh2', 'km', 'ca', 'cad', 'kca', 'cat', 'ar', 'pas', 'hh',
                      'extracellular', 'drivesource')
BUILTIN_RECEPTORS = ('ampa', 'nmda', 'gabaa', 'gabab')
_NAME = re.compile(r'[A-Za-z][A-Za-z0-9]*\Z')
_RESERVED = {'v', 'celsius', 't', 'dt', 'area', 'diam', 'i', 'g', 'weight', 'factor',
             'A', 'B', 'tp'} | set(sum(ION_NAMES.values(), ()))


@dataclass(frozen=True)
class Parameter:
    """A parameter: default value and unit."""
    value: float
    unit: str


@dataclass(frozen=True)
class Gate:
    """A gating variable of a channel.

    Give either ``alpha`` and ``beta`` (opening and closing rates, /ms) or
    ``inf`` (steady state, 1) and ``tau`` (time constant, ms), as strings.
    With ``alpha``/``beta`` the steady state is ``alpha / (alpha + beta)`` and
    the time constant ``1 / (rate_factor * (alpha + beta))``; with
    ``inf``/``tau`` the time constant is ``tau / rate_factor``.

    Parameters
    ----------
    alpha, beta, inf, tau : str | None
        The rates, as expressions of ``v`` and named quantities.
    rate_factor : str | None
        A temperature factor (e.g. a Q10 term) that divides the time constant,
        as an expression, or None for 1.
    """
    alpha: str = None
    beta: str = None
    inf: str = None
    tau: str = None
    rate_factor: str = None

    @property
    def kind(self):
        return 'alpha_beta' if self.alpha is not None else 'inf_tau'


@dataclass(frozen=True)
class Current:
    """A current a channel carries (mA/cm2).

    Parameters
    ----------
    expression : str
        The current density, e.g. ``'gbar * m**3 * h * (v - ena)'``.
    ion : str | None
        The ion it is carried by (``'na'``, ``'k'``, ``'ca'``), or None for a
        non-specific current.
    name : str | None
        A non-specific current's name (e.g. ``'ih'``); an ion's current is
        always ``i<ion>``.
    """
    expression: str
    ion: str = None
    name: str = None


def _check_name(kind, name, taken=()):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f'{kind} name must be letters and digits starting with a '
                         f'letter, got {name!r}')
    if name in _RESERVED:
        raise ValueError(f'{kind} name {name!r} is reserved; reserved names: '
                         f'{", ".join(sorted(_RESERVED))}')
    if name in taken:
        raise ValueError(f'{kind} name {name!r} is already used in this mechanism')


def _check_parameters(parameters, owner):
    if not isinstance(parameters, dict):
        raise TypeError(f'parameters of {owner} must be a dict of name -> (value, '
                        f'unit), got {type(parameters).__name__}')
    checked = {}
    for name, spec in parameters.items():
        _check_name('parameter', name, checked)
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
            raise ValueError(f'parameter {name!r} of {owner} must be a (value, unit) '
                             f'pair, got {spec!r}')
        value, unit = spec
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ValueError(f'parameter {name!r} of {owner} must have a finite '
                             f'number as its value, got {value!r}')
        if unit not in UNITS:
            raise ValueError(f'parameter {name!r} of {owner} has unit {unit!r}; '
                             f'allowed units: {", ".join(UNITS)}')
        checked[name] = Parameter(float(value), unit)
    return checked


def _check_no_comparison(expr):
    """Comparisons only make sense as where()'s condition."""
    for node in _walk(expr.tree):
        if isinstance(node, BinOp) and node.op in COMPARISONS:
            conditions = [n.args[0] for n in _walk(expr.tree)
                          if getattr(n, 'func', None) == 'where']
            if not any(node is c for c in conditions):
                raise ExpressionError(
                    f'a comparison ({node.op!r}) can only be the first argument '
                    f'of where() in {expr.where}: {expr.text}')


def _parse(text, where, allowed):
    expr = Expression(text, where)
    expr.check_names(allowed)
    _check_no_comparison(expr)
    return expr


def _parse_values(values, owner, allowed):
    """Named intermediate values, each readable by the ones after it."""
    if not isinstance(values, dict):
        raise TypeError(f'values of {owner} must be a dict of name -> expression, '
                        f'got {type(values).__name__}')
    parsed = {}
    for name, text in values.items():
        _check_name('value', name, allowed)
        parsed[name] = _parse(text, f'value {name!r} of {owner}', allowed)
        allowed = allowed | {name}
    return parsed, allowed


class Channel:
    """A density mechanism (ion channel) described in Python.

    Parameters
    ----------
    name : str
        The mechanism's name (NEURON's suffix): letters and digits, not the
        name of one of the package's mechanisms. Parameters are set on
        sections as ``<parameter>_<name>``, as for the built-in mechanisms.
    parameters : dict
        ``{name: (default, unit)}``, e.g. ``{'gbar': (0.0001, 'S/cm2')}``.
        Units are one of ``hnn_core.channels.UNITS``.
    gates : dict
        ``{name: Gate(...)}``: the gating variables, in order.
    currents : list of Current
        The currents the channel carries.
    values : dict | None
        ``{name: expression}``: named intermediate quantities (e.g. a Q10
        factor, or a conductance), each able to read the ones before it. What
        a value depends on decides where it is computed: once at
        initialisation (parameters and temperature only), with the rates
        (the membrane potential too), or at every step (gates or ions).
    table : dict | None
        ``{'vmin': mV, 'vmax': mV, 'n': intervals}``: tabulate the gates'
        steady states and time constants over ``v`` and interpolate linearly,
        as the built-in channels do (``n`` intervals, ``n + 1`` points). The
        parameters the rates read are then one value per mechanism (they are
        compiled in); without a table every parameter can vary by section.
    ions : list of str
        Further ions whose concentrations the expressions read (an ion a
        current is carried by is declared already).
    """

    def __init__(self, name, parameters, gates, currents, values=None, table=None,
                 ions=()):
        _check_name('mechanism', name)
        if name in BUILTIN_MECHANISMS:
            raise ValueError(f'mechanism name {name!r} is one of the package\'s own '
                             f'mechanisms ({", ".join(BUILTIN_MECHANISMS)}); choose '
                             'another')
        self.name = name
        owner = f'channel {name!r}'
        self.parameters = _check_parameters(parameters, owner)
        self._spec = {'name': name,
                      'parameters': {k: [p.value, p.unit]
                                     for k, p in self.parameters.items()}}
        if not isinstance(gates, dict) or not gates:
            raise ValueError(f'gates of {owner} must be a non-empty dict of name -> '
                             f'Gate, got {gates!r}')
        if isinstance(currents, Current):
            currents = [currents]
        if not isinstance(currents, (list, tuple)) or not currents \
                or not all(isinstance(c, Current) for c in currents):
            raise ValueError(f'currents of {owner} must be a non-empty list of '
                             f'Current, got {currents!r}')
        self.ions = self._check_ions(currents, ions, owner)
        ion_names = {n for ion in self.ions for n in ION_NAMES[ion][:3]}
        taken = set(self.parameters)
        for gate_name in gates:
            _check_name('gate', gate_name, taken)
            taken.add(gate_name)
        # a value may read gates (a conductance, say); rates may not, even
        # through a value (checked below)
        self.values, readable = _parse_values(
            dict(values or {}), owner, taken | ion_names | {'v', 'celsius'})
        self.table = self._check_table(table, owner)
        self.gates = {name: self._parse_gate(name, gate, readable, owner)
                      for name, gate in gates.items()}
        self.currents = []
        for current in currents:
            cname = self._current_name(current, owner)
            if cname in (c[0] for c in self.currents):
                raise ValueError(f'{owner} defines the current {cname!r} twice')
            self.currents.append(
                (cname, current.ion,
                 _parse(current.expression, f'current {cname!r} of {owner}', readable)))
        self._check_gate_dependencies(owner)
        read_by_rates = set()
        for exprs in self.gates.values():
            for expr in exprs.values():
                read_by_rates |= self._depends_on(expr)
        # a table is computed once for every section: what it reads is shared
        self.shared_parameters = tuple(
            p for p in self.parameters if self.table is not None and p in read_by_rates)
        self._spec.update(
            gates={k: {key: getattr(g, key) for key in
                       ('alpha', 'beta', 'inf', 'tau', 'rate_factor')
                       if getattr(g, key) is not None} for k, g in gates.items()},
            currents=[{'expression': c.expression, 'ion': c.ion, 'name': n}
                      for c, (n, _, _) in zip(currents, self.currents)],
            values=dict(values or {}), table=self.table, ions=list(self.ions))

    def to_dict(self):
        """The description as plain values (for network files)."""
        return dict(deepcopy(self._spec), kind='channel')

    def __eq__(self, other):
        return isinstance(other, Channel) and other._spec == self._spec

    def __hash__(self):
        return hash(self.name)

    @staticmethod
    def _check_ions(currents, ions, owner):
        declared = [c.ion for c in currents if c.ion is not None] + list(ions)
        for ion in declared:
            if ion not in ION_NAMES:
                raise ValueError(f'{owner}: unknown ion {ion!r}; allowed: '
                                 f'{", ".join(ION_NAMES)}')
        return tuple(dict.fromkeys(declared))

    @staticmethod
    def _check_table(table, owner):
        if table is None:
            return None
        if not isinstance(table, dict) or set(table) != {'vmin', 'vmax', 'n'}:
            raise ValueError(f'table of {owner} must be a dict with the keys vmin, '
                             f'vmax (mV) and n (intervals), got {table!r}')
        vmin, vmax, n = table['vmin'], table['vmax'], table['n']
        if not (isinstance(n, int) and n >= 1):
            raise ValueError(f"table['n'] of {owner} must be a positive integer, "
                             f'got {n!r}')
        if not all(isinstance(x, (int, float)) and math.isfinite(x)
                   for x in (vmin, vmax)) or not vmin < vmax:
            raise ValueError(f'table of {owner} needs finite vmin < vmax, got '
                             f'{vmin!r}, {vmax!r}')
        return {'vmin': float(vmin), 'vmax': float(vmax), 'n': n}

    @staticmethod
    def _parse_gate(name, gate, allowed, owner):
        if not isinstance(gate, Gate):
            raise TypeError(f'gate {name!r} of {owner} must be a Gate, got '
                            f'{type(gate).__name__}')
        pairs = {'alpha_beta': (gate.alpha, gate.beta), 'inf_tau': (gate.inf, gate.tau)}
        given = [kind for kind, (a, b) in pairs.items() if a is not None or b is not None]
        if len(given) != 1 or None in pairs[given[0]]:
            raise ValueError(f'gate {name!r} of {owner} has no dynamics: give either '
                             'alpha and beta, or inf and tau')
        where = f'gate {name!r} of {owner}'
        keys = ('alpha', 'beta') if given[0] == 'alpha_beta' else ('inf', 'tau')
        parsed = {key: _parse(getattr(gate, key), f'{where}, {key}', allowed)
                  for key in keys}
        if gate.rate_factor is not None:
            parsed['rate_factor'] = _parse(gate.rate_factor, f'{where}, rate_factor',
                                           allowed)
        return parsed

    @staticmethod
    def _current_name(current, owner):
        if current.ion is not None:
            if current.name not in (None, f'i{current.ion}'):
                raise ValueError(f'{owner}: the current of ion {current.ion!r} is '
                                 f'i{current.ion}, not {current.name!r}')
            return f'i{current.ion}'
        if current.name is None:
            raise ValueError(f'{owner}: a non-specific current needs a name '
                             "(e.g. Current('gl * (v - el)', name='il'))")
        _check_name('current', current.name)
        return current.name

    def _check_gate_dependencies(self, owner):
        """Rates may not read gates or, when tabulated, anything but v, celsius
        and parameters (directly or through values)."""
        for gate_name, exprs in self.gates.items():
            for key, expr in exprs.items():
                for name in self._depends_on(expr):
                    if name in self.gates:
                        raise ExpressionError(
                            f'{key} of gate {gate_name!r} of {owner} reads the gate '
                            f'{name!r}; rates may only depend on v, celsius, '
                            f'parameters and ion concentrations: {expr.text}')
                    if self.table is not None and name not in self.parameters \
                            and name not in ('v', 'celsius'):
                        raise ExpressionError(
                            f'{key} of gate {gate_name!r} of {owner} reads {name!r}, '
                            'but tabulated rates can only depend on v, celsius and '
                            f'parameters: {expr.text}')

    def _depends_on(self, expr):
        """Every base name an expression reads, through the values it reads."""
        found, stack = set(), list(expr.names)
        while stack:
            name = stack.pop()
            if name in found:
                continue
            found.add(name)
            if name in self.values:
                stack.extend(self.values[name].names)
        return {name for name in found if name not in self.values}

    def __repr__(self):
        return (f'<Channel {self.name!r}: gates {", ".join(self.gates)}; currents '
                f'{", ".join(c[0] for c in self.currents)}>')


class Synapse:
    """A synapse type described in Python: a two-state kinetic scheme.

    Each event of weight ``w`` (uS) adds ``w * factor`` to two states that
    decay with time constants ``tau1`` (rise) and ``tau2`` (decay); the
    conductance is their difference, normalised (``factor``) so that one
    event peaks at ``w``. This is the scheme of NEURON's ``Exp2Syn``, which
    the package's own receptors use. The current (nA) is

        i = g * (v - e)                     without a voltage factor
        i = g * <voltage_factor> * (v - e)  with one (e.g. a magnesium block)

    ``tau1``, ``tau2`` and ``e`` are set per cell type and section like the
    built-in receptors' (``cell.synapses[name] = {'e': ..., 'tau1': ...,
    'tau2': ...}``); a connection targets the synapse by its name
    (``net.add_connection(..., receptor=name)``).

    Parameters
    ----------
    name : str
        The receptor's name: letters and digits, not one of the built-in
        receptors (``ampa``, ``nmda``, ``gabaa``, ``gabab``).
    voltage_factor : str | None
        An expression of ``v`` and the parameters, e.g.
        ``'1 / (1 + exp(0.062 * -v) * mg / 3.57)'``.
    parameters : dict | None
        ``{name: (default, unit)}``: parameters the voltage factor reads; every
        synapse of this type uses these values.
    """

    def __init__(self, name, voltage_factor=None, parameters=None):
        _check_name('receptor', name)
        if name.lower() in BUILTIN_RECEPTORS or name in BUILTIN_MECHANISMS:
            raise ValueError(f'receptor name {name!r} collides with a built-in '
                             f'receptor or mechanism ({", ".join(BUILTIN_RECEPTORS)}, '
                             f'{", ".join(BUILTIN_MECHANISMS)}); choose another')
        self.name = name
        owner = f'synapse {name!r}'
        self.parameters = _check_parameters(dict(parameters or {}), owner)
        for clash in ('tau1', 'tau2', 'e'):
            if clash in self.parameters:
                raise ValueError(f'{owner}: {clash!r} is set per cell type (cell.'
                                 f'synapses[{name!r}]), not as a parameter')
        self._spec = {'name': name, 'voltage_factor': voltage_factor,
                      'parameters': {k: [p.value, p.unit]
                                     for k, p in self.parameters.items()}}
        self.voltage_factor = None
        if voltage_factor is not None:
            self.voltage_factor = _parse(voltage_factor, f'voltage_factor of {owner}',
                                         set(self.parameters) | {'v', 'celsius'})

    def to_dict(self):
        """The description as plain values (for network files)."""
        return dict(deepcopy(self._spec), kind='synapse')

    def __eq__(self, other):
        return isinstance(other, Synapse) and other._spec == self._spec

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        block = '' if self.voltage_factor is None else \
            f', voltage factor {self.voltage_factor.text!r}'
        return f'<Synapse {self.name!r}{block}>'


def description_from_dict(data):
    """A :class:`Channel` or :class:`Synapse` from its ``to_dict()`` (checked anew)."""
    if not isinstance(data, dict) or data.get('kind') not in ('channel', 'synapse'):
        raise ValueError("a mechanism description must be a dict with kind 'channel' "
                         f"or 'synapse', got {data!r:.200}")
    data = deepcopy(data)
    kind = data.pop('kind')
    params = {k: tuple(v) if isinstance(v, list) else v
              for k, v in data.pop('parameters', {}).items()}
    if kind == 'synapse':
        return Synapse(data.pop('name'), voltage_factor=data.pop('voltage_factor', None),
                       parameters=params)
    gates = {k: Gate(**g) for k, g in data.pop('gates').items()}
    currents = [Current(**c) for c in data.pop('currents')]
    return Channel(data.pop('name'), params, gates, currents,
                   values=data.pop('values', None), table=data.pop('table', None),
                   ions=data.pop('ions', ()))
