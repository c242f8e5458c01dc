"""Arithmetic expressions of mechanism descriptions, parsed into a small tree.

A channel or synapse described in Python gives its rates and currents as
strings such as ``'0.1 * vtrap(-(v + 40), 10)'``. They are read by the
recursive-descent parser below into immutable nodes (numbers, names, unary
minus, the binary operators ``+ - * / **``, comparisons and calls of a fixed
set of functions); nothing is ever passed to Python's ``eval``, so a string
can only describe arithmetic. The grammar and precedence are Python's:

    comparison := sum [('<' | '<=' | '>' | '>=' | '==' | '!=') sum]
    sum        := product (('+' | '-') product)*
    product    := unary (('*' | '/') unary)*
    unary      := ('-' | '+') unary | power
    power      := atom ['**' unary]
    atom       := number | name | name '(' comparison (',' comparison)* ')'
                | '(' comparison ')'

The code generator (``hnn_core.engine.nmodl``) writes NMODL from the tree
without reordering it, so an expression written like the terms of a
hand-written ``.mod`` file compiles to the same floating-point operations.
"""
import math
import re
from dataclasses import dataclass, field

import numpy as np

# name -> number of arguments; each has an NMODL spelling (engine.nmodl) and a
# numpy one (evaluate) below
FUNCTIONS = {'exp': 1, 'log': 1, 'log10': 1, 'sqrt': 1, 'abs': 1, 'tanh': 1,
             'vtrap': 2, 'min': 2, 'max': 2, 'where': 3}
COMPARISONS = ('<', '<=', '>', '>=', '==', '!=')

_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|<=|>=|==|!=|[-+*/(),<>])
''', re.VERBOSE)


class ExpressionError(ValueError):
    """An expression that cannot be read, or that uses what it may not.

    The message quotes the expression and marks the offending term.
    """


@dataclass(frozen=True)
class Number:
    value: float
    text: str


@dataclass(frozen=True)
class Name:
    name: str
    pos: int = field(compare=False)  # where it is in the text, for messages


@dataclass(frozen=True)
class Negate:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple
    pos: int = field(compare=False)


class Expression:
    """A parsed expression: its text, its tree and the names it reads.

    Parameters
    ----------
    text : str
        The expression, e.g. ``'4 * exp(-(v + 65) / 18)'``.
    where : str | None
        What the expression defines (e.g. ``"gate 'm' alpha"``), used in
        error messages.
    """

    def __init__(self, text, where=None):
        if not isinstance(text, str):
            raise TypeError(f'{where or "an expression"} must be a string, got '
                            f'{type(text).__name__}')
        self.text = text
        self.where = where
        self.tree = _Parser(text, where).parse()

    @property
    def names(self):
        """The names read, in order of first appearance (tuple of str)."""
        found = {}
        for node in _walk(self.tree):
            if isinstance(node, Name):
                found.setdefault(node.name, node)
        return tuple(found)

    def check_names(self, allowed):
        """Raise ExpressionError naming the first name not in ``allowed``."""
        for node in _walk(self.tree):
            if isinstance(node, Name) and node.name not in allowed:
                known = ', '.join(sorted(allowed)) or 'none'
                raise _error(self.text, node.pos, self.where,
                             f'unknown name {node.name!r} (known here: {known})')

    def evaluate(self, values):
        """The expression's value (numpy arrays broadcast) for ``values``.

        ``values`` maps every name to a number or an array. This walks the
        tree; it does not run Python code from the text.
        """
        return _evaluate(self.tree, values)

    def __repr__(self):
        return f'Expression({self.text!r})'

    def __eq__(self, other):
        return isinstance(other, Expression) and other.tree == self.tree

    def __hash__(self):
        return hash(self.tree)


def _error(text, pos, where, message):
    place = f' in {where}' if where else ''
    return ExpressionError(f'{message}{place}:\n    {text}\n    {" " * pos}^')


def _walk(node):
    yield node
    if isinstance(node, Negate):
        yield from _walk(node.operand)
    elif isinstance(node, BinOp):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _walk(arg)


class _Parser:
    """Recursive descent over the tokens of one expression."""

    def __init__(self, text, where):
        self.text, self.where = text, where
        self.tokens = self._tokenize()
        self.index = 0

    def _tokenize(self):
        tokens, pos = [], 0
        while pos < len(self.text):
            match = _TOKEN.match(self.text, pos)
            if match is None:
                # reported when the parser reaches it, so that what comes
                # first (an unknown function, say) is what the error names
                tokens.append(('bad', self.text[pos], pos))
                pos += 1
                continue
            if match.lastgroup != 'space':
                tokens.append((match.lastgroup, match.group(), pos))
            pos = match.end()
        tokens.append(('end', '', len(self.text)))
        return tokens

    def _peek(self):
        return self.tokens[self.index]

    def _take(self, *ops):
        kind, value, _ = self._peek()
        if kind == 'op' and value in ops:
            self.index += 1
            return value
        return None

    def _expect(self, op):
        if self._take(op) is None:
            kind, value, pos = self._peek()
            found = 'the end' if kind == 'end' else repr(value)
            raise _error(self.text, pos, self.where, f'expected {op!r}, found {found}')

    def parse(self):
        if self._peek()[0] == 'end':
            raise _error(self.text, 0, self.where, 'empty expression')
        tree = self._comparison()
        kind, value, pos = self._peek()
        if kind == 'bad':
            raise _error(self.text, pos, self.where, f'unexpected character {value!r}')
        if kind != 'end':
            raise _error(self.text, pos, self.where, f'unexpected {value!r}')
        return tree

    def _comparison(self):
        left = self._sum()
        op = self._take(*COMPARISONS)
        if op is None:
            return left
        right = self._sum()
        if self._peek()[1] in COMPARISONS:
            raise _error(self.text, self._peek()[2], self.where,
                         'chained comparisons are not supported')
        return BinOp(op, left, right)

    def _sum(self):
        node = self._product()
        while (op := self._take('+', '-')) is not None:
            node = BinOp(op, node, self._product())
        return node

    def _product(self):
        node = self._unary()
        while (op := self._take('*', '/')) is not None:
            node = BinOp(op, node, self._unary())
        return node

    def _unary(self):
        if self._take('-') is not None:
            return Negate(self._unary())
        if self._take('+') is not None:
            return self._unary()
        return self._power()

    def _power(self):
        base = self._atom()
        if self._take('**') is not None:
            return BinOp('**', base, self._unary())
        return base

    def _atom(self):
        kind, value, pos = self._peek()
        if kind == 'number':
            self.index += 1
            return Number(float(value), value)
        if kind == 'name':
            self.index += 1
            if self._take('(') is None:
                return Name(value, pos)
            if value not in FUNCTIONS:
                known = ', '.join(sorted(FUNCTIONS))
                raise _error(self.text, pos, self.where,
                             f'unknown function {value!r} (known: {known})')
            args = [self._comparison()]
            while self._take(',') is not None:
                args.append(self._comparison())
            self._expect(')')
            if len(args) != FUNCTIONS[value]:
                raise _error(self.text, pos, self.where,
                             f'{value}() takes {FUNCTIONS[value]} argument(s), '
                             f'got {len(args)}')
            return Call(value, tuple(args), pos)
        if self._take('(') is not None:
            node = self._comparison()
            self._expect(')')
            return node
        if kind == 'bad':
            raise _error(self.text, pos, self.where, f'unexpected character {value!r}')
        found = 'the end' if kind == 'end' else repr(value)
        raise _error(self.text, pos, self.where, f'expected a number, a name or '
                     f'"(", found {found}')


def vtrap(x, y):
    """x / (exp(x / y) - 1), with its limit y (1 - x / (2 y)) where |x / y| < 1e-6."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ratio = x / y
    near = np.abs(ratio) < 1e-6
    with np.errstate(divide='ignore', invalid='ignore'):
        far = x / (np.exp(ratio) - 1.)
    return np.where(near, y * (1. - ratio / 2.), far)


_NUMPY = {'exp': np.exp, 'log': np.log, 'log10': np.log10, 'sqrt': np.sqrt,
          'abs': np.abs, 'tanh': np.tanh, 'vtrap': vtrap, 'min': np.minimum,
          'max': np.maximum, 'where': lambda c, a, b: np.where(c, a, b)}
_BINARY = {'+': np.add, '-': np.subtract, '*': np.multiply, '/': np.divide,
           '**': np.power, '<': np.less, '<=': np.less_equal, '>': np.greater,
           '>=': np.greater_equal, '==': np.equal, '!=': np.not_equal}


def _evaluate(node, values):
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        try:
            return values[node.name]
        except KeyError:
            raise KeyError(f'no value given for {node.name!r}') from None
    if isinstance(node, Negate):
        return -_evaluate(node.operand, values)
    if isinstance(node, BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        if node.op == '**' and np.ndim(left) == 0 and np.ndim(right) == 0:
            return math.pow(left, right)
        return _BINARY[node.op](left, right)
    return _NUMPY[node.func](*(_evaluate(arg, values) for arg in node.args))
