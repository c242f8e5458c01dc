"""Mechanisms described in Python: the expression parser, the descriptions'
checks and the NMODL written from them (no NEURON needed here)."""
import builtins
import dataclasses
import itertools
import math

import numpy as np
import pytest

from hnn_core.channels import Channel, Current, Gate, Synapse, description_from_dict
from hnn_core.engine.nmodl import channel_nmodl, render, synapse_nmodl
from hnn_core.expressions import Expression, ExpressionError, vtrap

from described_mechanisms import HH2PY

ARITHMETIC = [
    '-x**2', '2**-1', '2**3**2', '(2**3)**2', 'a - b - c', 'a - (b - c)', 'a/b/c',
    'a/(b*c)', 'a*b/c', '-a*b', '-(a*b)', '- -a', '+a - -b', 'a**-b', '(-a)**2',
    '1e-4*a*(b - c)', '.5*a + 3.*b', 'exp(-(a + 65)/18)', 'sqrt(a*a + b*b)',
    '1/(exp(-(a + 35)/10) + 1)', 'log(b/a)*(a*b)/(b - a)', '3**((a - b - c)/10)',
    'a - b + c', 'a + (b + c)', 'a*(b*c)', 'abs(a - c)', 'tanh(a/b)', '-a**-b',
]
VALUES = {'a': 1.7, 'b': 2.9, 'c': -0.4, 'x': 3.}


@pytest.mark.parametrize('text', ARITHMETIC)
def test_expressions_follow_python_arithmetic(text):
    """Same value as Python gives the same string (the test evaluates these
    constant strings with Python; the package never does)."""
    namespace = dict(VALUES, exp=math.exp, log=math.log, sqrt=math.sqrt, abs=abs,
                     tanh=math.tanh)
    expected = eval(text, {'__builtins__': {}}, namespace)  # noqa: S307
    assert Expression(text).evaluate(VALUES) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize('text', ARITHMETIC)
def test_nmodl_text_keeps_the_tree(text):
    """Written as NMODL and read back (NMODL's ^ is Python's **), the tree is
    the same: the parentheses neither change the grouping nor are missing."""
    tree = Expression(text).tree
    written = render(tree)
    assert Expression(written.replace('^', '**').replace('fabs(', 'abs(')).tree == tree


def test_nothing_is_evaluated_from_a_string(monkeypatch):
    """Parsing and evaluating never reach eval, exec or import."""
    def refuse(*args, **kwargs):
        raise AssertionError('called')
    for name in ('eval', 'exec', 'compile', '__import__'):
        monkeypatch.setattr(builtins, name, refuse)
    expr = Expression('0.1*vtrap(-(v + 40), 10)')
    value = expr.evaluate({'v': -30.})
    monkeypatch.undo()
    assert value == pytest.approx(0.1 * -10. / (math.exp(-1.) - 1.))
    with pytest.raises(ExpressionError, match="unknown function '__import__'"):
        Expression("__import__('os').system('true')")
    for attempt in ('().__class__', 'v.real', 'x[0]', 'lambda: 0', 'a if b else c'):
        with pytest.raises(ExpressionError):
            Expression(attempt)


def test_expression_errors_quote_the_term():
    with pytest.raises(ExpressionError) as err:
        Expression('gbar*m + foo', "current 'ina'").check_names({'gbar', 'm'})
    message = str(err.value)
    assert "unknown name 'foo'" in message and "current 'ina'" in message
    # the caret points at the term
    text_line, caret_line = message.splitlines()[-2:]
    assert text_line.strip() == 'gbar*m + foo'
    assert caret_line.index('^') == text_line.index('foo')
    with pytest.raises(ExpressionError, match=r"unknown function 'expo'"):
        Expression('expo(v)')
    with pytest.raises(ExpressionError, match=r'exp\(\) takes 1 argument'):
        Expression('exp(v, 2)')
    for bad in ('', 'a +', '(a', 'a b', '1 < 2 < 3', 'a $ b'):
        with pytest.raises(ExpressionError):
            Expression(bad)


def test_vtrap_limit_is_continuous():
    """Both branches agree with x / expm1(x / y), exact near 0, on each side of
    the switch at |x / y| = 1e-6."""
    x = np.array([-1e-3, -2e-5, -5e-6, 5e-6, 2e-5, 1e-3])
    np.testing.assert_allclose(vtrap(x, 10.), x / np.expm1(x / 10.), rtol=1e-9)
    assert vtrap(0., 10.) == 10.


def _plain(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _hh2py(**changes):
    """HH2PY with some of its constructor's arguments replaced."""
    return description_from_dict({**HH2PY.to_dict(), **_plain(changes)})


def test_channel_nmodl_places_each_value_where_it_can_be_computed():
    km = Channel(
        'kmpy',
        parameters={'gbar': (10, 'pS/um2'), 'tha': (-30, 'mV'), 'qa': (9, 'mV'),
                    'Ra': (0.001, '/ms'), 'Rb': (0.001, '/ms'), 'temp': (23, 'degC'),
                    'q10': (2.3, '1'), 'tshift': (30.7, 'degC')},
        values={'tadj': 'q10**((celsius - temp - tshift)/10)', 'gk': 'tadj*gbar*n'},
        gates={'n': Gate(alpha='Ra*(v - tha)/(1 - exp(-(v - tha)/qa))',
                         beta='-Rb*(v - tha)/(1 - exp((v - tha)/qa))',
                         rate_factor='tadj')},
        currents=[Current('1e-4*gk*(v - ek)', ion='k')],
        table={'vmin': -120, 'vmax': 100, 'n': 199})
    text = channel_nmodl(km)
    block = {name: _block(text, name) for name in
             ('INITIAL', 'BREAKPOINT', 'PROCEDURE rates(v (mV))', 'NEURON')}
    # tadj: parameters and temperature only -> once at INITIAL (for gk), and as
    # a LOCAL inside the tabulated rates
    assert 'tadj = q10^((celsius - temp - tshift)/10)' in block['INITIAL']
    assert 'tadj_local = q10^((celsius - temp - tshift)/10)' in \
        block['PROCEDURE rates(v (mV))']
    assert 'ntau = 1/(tadj_local*(alpha + beta))' in block['PROCEDURE rates(v (mV))']
    # gk reads a gate -> every step, before the current
    lines = block['BREAKPOINT']
    assert lines.index('gk = tadj*gbar*n') < lines.index('ik = 1e-4*gk*(v - ek)')
    # parameters read by tabulated rates are GLOBAL (the table is shared)
    assert 'GLOBAL Ra, Rb, q10, qa, temp, tha, tshift' in block['NEURON']
    assert 'RANGE gbar, ninf, ntau, tadj, gk' in block['NEURON']
    assert 'TABLE ninf, ntau DEPEND celsius, Ra, Rb, q10, qa, temp, tha, tshift ' \
        'FROM -120 TO 100 WITH 199' in block['PROCEDURE rates(v (mV))']
    for forbidden in ('VERBATIM', 'POINTER', 'FUNCTION_TABLE'):
        assert forbidden not in text
    text = channel_nmodl(_hh2py())
    assert 'USEION na READ ena WRITE ina' in text
    assert 'NONSPECIFIC_CURRENT il' in text
    assert 'FUNCTION vtrap(x, y)' in text


def _block(text, head):
    """The lines (stripped) of the NMODL block that starts with ``head``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    end = next(i for i in itertools.count(start) if lines[i] == '}')
    return [line.strip() for line in lines[start + 1:end]]


def test_untabulated_rates_read_range_parameters():
    channel = _hh2py(table=None)
    text = channel_nmodl(channel)
    assert 'GLOBAL' not in text and 'TABLE' not in text
    assert 'RANGE gnabar, gkbar, gl, el, temp, tshift' in text
    # a value of parameters alone is computed once, and untabulated rates read it
    assert 'q10 = 3^((celsius - temp - tshift)/10)' in _block(text, 'INITIAL')
    rates = _block(text, 'PROCEDURE rates(v (mV))')
    assert 'mtau = 1/(q10*(alpha + beta))' in rates
    assert not any(line.startswith('q10') for line in rates)


def test_synapse_nmodl():
    text = synapse_nmodl(Synapse('nmdapy'))
    assert 'POINT_PROCESS nmdapy' in text and 'i = g*(v - e)' in text
    assert 'NET_RECEIVE(weight (uS))' in text
    blocked = Synapse('nmdamg', voltage_factor='1/(1 + exp(0.062*-v)*mg/3.57)',
                      parameters={'mg': (1., 'mM')})
    text = synapse_nmodl(blocked)
    assert 'i = g*(1/(1 + exp(0.062*(-v))*mg/3.57))*(v - e)' in text
    assert 'RANGE mg' in text


def test_descriptions_give_named_errors():
    with pytest.raises(ValueError, match="parameter 'gbar' .* unit 'S/m2'"):
        _hh2py(parameters={'gbar': (1., 'S/m2')})
    with pytest.raises(ValueError, match=r"parameter 'gbar' .* \(value, unit\) pair"):
        _hh2py(parameters={'gbar': 1.})
    with pytest.raises(ExpressionError, match="unknown name 'gnabar'"):
        _hh2py(parameters={'gkbar': (0.036, 'S/cm2'), 'gl': (0.0003, 'S/cm2'),
                           'el': (-54.3, 'mV'), 'temp': (6.3, 'degC'),
                           'tshift': (30.7, 'degC')})
    with pytest.raises(ValueError, match="gate 'm' .* has no dynamics"):
        _hh2py(gates={'m': Gate(alpha='1')})
    with pytest.raises(ValueError, match="gate 'm' .* has no dynamics"):
        _hh2py(gates={'m': Gate(alpha='1', beta='1', inf='1', tau='1')})
    with pytest.raises(ExpressionError, match="reads the gate 'h'"):
        _hh2py(gates={'m': Gate(inf='h', tau='1'), 'h': Gate(inf='1', tau='1')},
               currents=[Current('m*h', name='ix')])
    with pytest.raises(ExpressionError, match="tabulated rates can only depend"):
        _hh2py(gates={'m': Gate(inf='1/(1 + cai)', tau='1')},
               currents=[Current('m*(v - eca)', ion='ca')])
    with pytest.raises(ValueError, match="one of the package's own mechanisms"):
        _hh2py(name='hh2')
    with pytest.raises(ValueError, match='unknown ion'):
        _hh2py(currents=[Current('m', ion='cl')])
    with pytest.raises(ValueError, match='needs a name'):
        _hh2py(currents=[Current('gl*(v - el)')])
    with pytest.raises(ValueError, match='collides with a built-in receptor'):
        Synapse('nmda')
    with pytest.raises(ValueError, match='collides with a built-in receptor'):
        Synapse('GABAa')
    with pytest.raises(ValueError, match="'tau1' is set per cell type"):
        Synapse('slow', parameters={'tau1': (2., 'ms')})
    with pytest.raises(ExpressionError, match="unknown name 'mg'"):
        Synapse('nmdamg', voltage_factor='1/(1 + mg)')
    with pytest.raises(ExpressionError, match='only be the first argument of where'):
        Synapse('clipped', voltage_factor='v > 0')


def test_descriptions_round_trip_through_plain_values():
    import json
    from hnn_core.channels import description_from_dict
    channel = _hh2py()
    copy = description_from_dict(json.loads(json.dumps(channel.to_dict())))
    assert copy == channel and copy is not channel
    assert channel_nmodl(copy) == channel_nmodl(channel)
    assert copy != _hh2py(table=None)
    blocked = Synapse('nmdamg', voltage_factor='1/(1 + mg)', parameters={'mg': (1., 'mM')})
    assert description_from_dict(json.loads(json.dumps(blocked.to_dict()))) == blocked
    bad = dict(channel.to_dict(), currents=[{'expression': 'gl*(v - el) + x',
                                             'name': 'il', 'ion': None}])
    with pytest.raises(ExpressionError, match="unknown name 'x'"):
        description_from_dict(bad)
    with pytest.raises(ValueError, match="kind 'channel' or 'synapse'"):
        description_from_dict({'name': 'x'})
