"""Recordings that come with the package.

Three MEG evoked responses distributed with HNN (its folder
``data/MEG_detection_data``): the current dipole (nAm) of primary
somatosensory cortex averaged over trials, from the tactile detection study of
Jones et al. (J Neurophysiol 2007) whose responses the Jones et al. 2009 model
was built to explain. They are HNN's text dipole files (time in ms, one data
column), sampled at about 600 Hz; read them with :func:`~hnn_core.read_dipole`.
They are distributed under the Brown University notice kept beside them
(``LICENSE-HNN.txt`` in the same folder).
"""

import os.path as op

from ._validate import _check_option

_DATA_DIR = op.join(op.dirname(op.abspath(__file__)), 'data')
_RECORDINGS = {
    'yes_trial': 'yes_trial_S1_ERP_all_avg.txt',
    'no_trial': 'no_trial_S1_ERP_all_avg.txt',
    'suprathreshold': 'S1_SupraT.txt',
}


def meg_evoked_response_path(condition='yes_trial'):
    """The path of one of the MEG evoked responses that come with the package.

    Parameters
    ----------
    condition : 'yes_trial' | 'no_trial' | 'suprathreshold'
        ``'yes_trial'`` (the default): threshold-level taps that were detected
        (``yes_trial_S1_ERP_all_avg.txt``, 0-170 ms, the recording hnn-core's
        fitting example uses); ``'no_trial'``: threshold-level taps that were
        not detected (``no_trial_S1_ERP_all_avg.txt``, 0-170 ms);
        ``'suprathreshold'``: suprathreshold taps (``S1_SupraT.txt``, 0-173 ms).

    Returns
    -------
    path : str
        The file, to read with :func:`~hnn_core.read_dipole`.

    Examples
    --------
    >>> from hnn_core import read_dipole
    >>> from hnn_core.datasets import meg_evoked_response_path
    >>> recording = read_dipole(meg_evoked_response_path('yes_trial'))
    """
    _check_option('condition', condition, tuple(_RECORDINGS))
    return op.join(_DATA_DIR, _RECORDINGS[condition])
