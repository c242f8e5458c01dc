"""Progress of a simulation, as events anyone can listen to.

The engine reports what it does (loading the mechanisms, building the model,
starting a trial, the simulated time every 10 ms, finishing) as
:class:`ProgressEvent` objects. :func:`~hnn_core.simulate_dipole` hands them to a
callback given as ``progress=``, or prints them as hnn-core always has
(:func:`print_progress`), so the command line and other front ends can show
progress without reading the printed text.
"""

import json
from dataclasses import dataclass, asdict

KINDS = ('mechanisms', 'build', 'built', 'start', 'time', 'done')
# prefix of an event line on the output of an MPI rank
_WIRE_PREFIX = '\x1ehnn_core-progress '


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a simulation.

    Attributes
    ----------
    kind : str
        ``'mechanisms'`` (the mechanism library is loaded, ``path``),
        ``'build'`` (building the model of a trial starts), ``'built'``,
        ``'start'`` (its integration starts, on ``n_ranks`` processes),
        ``'time'`` (the simulation has reached ``t``), ``'done'`` (the trial
        is finished).
    trial : int | None
        0-based trial index.
    n_trials : int | None
        Number of trials of the run.
    t : float | None
        Simulated time reached (ms), for ``'time'``.
    tstop : float | None
        End of each trial (ms).
    n_ranks : int
        Processes sharing the trial (MPI ranks).
    path : str | None
        The mechanism library, for ``'mechanisms'``.
    """

    kind: str
    trial: int = None
    n_trials: int = None
    t: float = None
    tstop: float = None
    n_ranks: int = 1
    path: str = None

    @property
    def fraction(self):
        """Fraction of the whole run done (0 to 1), if the event tells."""
        if self.trial is None or not self.n_trials:
            return None
        within = 0.
        if self.kind == 'done':
            within = 1.
        elif self.kind == 'time' and self.tstop:
            within = min(self.t / self.tstop, 1.)
        return min((self.trial + within) / self.n_trials, 1.)


def print_progress(event):
    """Print an event as hnn-core's progress lines (the reference example's output)."""
    if event.kind == 'mechanisms':
        print(f'Loading custom mechanism files from {event.path}', flush=True)
    elif event.kind == 'build':
        print('Building the NEURON model', flush=True)
    elif event.kind == 'built':
        print('[Done]', flush=True)
    elif event.kind == 'start':
        print(f'running trial {event.trial + 1} on {event.n_ranks} cores', flush=True)
    elif event.kind == 'time':
        print(f'Simulation time: {round(event.t, 2)} ms...', flush=True)


def _encode(event):
    """One line that carries an event through a process's standard output."""
    return _WIRE_PREFIX + json.dumps(asdict(event))


def _decode(line):
    """The event of a line made by :func:`_encode`; None for any other line."""
    if not line.startswith(_WIRE_PREFIX):
        return None
    return ProgressEvent(**json.loads(line[len(_WIRE_PREFIX):]))


def _relay(lines, report=None, echo=print):
    """Pass on the output of a process that reports with :func:`_encode`.

    Event lines go to ``report`` (dropped when it is None), every other line
    to ``echo`` as it comes, so that a child's own prints are not lost.
    """
    for line in lines:
        event = _decode(line.rstrip('\n'))
        if event is None:
            echo(line, end='', flush=True)
        elif report is not None:
            report(event)
