"""The recordings that come with the package."""
import os.path as op

import numpy as np
import pytest

from hnn_core import read_dipole
from hnn_core.datasets import meg_evoked_response_path

SHARED_DATA = op.join(op.dirname(op.abspath(__file__)), '..', '..', 'shared', 'data')


@pytest.mark.parametrize('condition, n_samples, t_last', [
    ('yes_trial', 103, 169.83), ('no_trial', 103, 169.83),
    ('suprathreshold', 105, 173.33)])
def test_recordings_read_as_dipoles(condition, n_samples, t_last):
    dpl = read_dipole(meg_evoked_response_path(condition))
    assert dpl.times.shape == (n_samples,) and dpl.times[0] == 0.
    assert dpl.times[-1] == pytest.approx(t_last, abs=0.01)
    # averaged evoked responses of some tens of nAm
    assert 5. < np.max(np.abs(dpl.data['agg'])) < 200.
    # the notice they are distributed under is beside them
    assert op.isfile(op.join(op.dirname(meg_evoked_response_path(condition)),
                             'LICENSE-HNN.txt'))


@pytest.mark.parametrize('condition', ['yes_trial', 'no_trial', 'suprathreshold'])
def test_packaged_recordings_are_hnns(condition):
    """The packaged files are the ones distributed with HNN (``../shared/data``)."""
    packaged = meg_evoked_response_path(condition)
    original = op.join(SHARED_DATA, op.basename(packaged))
    if not op.isfile(original):
        pytest.skip(f'{original} is not beside this checkout')
    with open(packaged, 'rb') as fid_packaged, open(original, 'rb') as fid_original:
        assert fid_packaged.read() == fid_original.read()


def test_unknown_condition_is_named():
    with pytest.raises(ValueError, match="'condition' parameter: 'detected'. Allowed "
                                         "values are 'yes_trial', 'no_trial'"):
        meg_evoked_response_path('detected')
