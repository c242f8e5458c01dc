"""Shared rules of the property-based (hypothesis) tests of bad input.

Every generated case must end in one of three ways: accepted (and then whatever
it returns is checked by the test), or a ``ValueError``/``TypeError``/``OSError``
whose message names the offending parameter or file key. It must never hang:
each case runs under a liveness alarm. ``N_CASES`` counts the cases run; the
test session prints the total (``conftest.pytest_terminal_summary``).
"""

import contextlib
import re
import signal

import pytest

LIVENESS_SECONDS = 30
ALLOWED = (ValueError, TypeError, OSError)
N_CASES = {'total': 0}


class LivenessError(AssertionError):
    """A case ran longer than LIVENESS_SECONDS."""


@contextlib.contextmanager
def liveness(seconds=LIVENESS_SECONDS):
    """Fail the case (instead of hanging the suite) after ``seconds``."""
    def _timeout(signum, frame):
        raise LivenessError(f'case still running after {seconds} s')

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def case(func, *args, **kwargs):
    """Run one generated case; return its result, or the allowed error raised.

    Counts the case and enforces the liveness limit. Errors other than
    ValueError/TypeError/OSError fail the test, with the case's arguments.
    """
    N_CASES['total'] += 1
    with liveness():
        try:
            return func(*args, **kwargs)
        except ALLOWED as err:
            return err
        except LivenessError:
            raise
        except BaseException as err:  # noqa: BLE001 - report which case broke
            pytest.fail(f'{func.__name__}(*{args!r}, **{kwargs!r}) raised '
                        f'{type(err).__name__}: {err}')


def assert_names(err, *names):
    """``err`` is an allowed error whose message names one of ``names``."""
    assert isinstance(err, ALLOWED), f'expected an error naming {names}, got {err!r}'
    message = str(err)
    assert any(re.search(re.escape(str(name)), message) for name in names), (
        f'{type(err).__name__} does not name any of {names}: {message}')
