"""The recordings that come with the package."""
import os.path as op

import numpy as np
import pytest

from hnn_core import read_dipole
from hnn_core.datasets import meg_evoked_response_path

DATA = op.join(op.dirname(op.abspath(__file__)), 'data')


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


def test_packaged_recording_is_the_one_the_tests_use():
    packaged = np.loadtxt(meg_evoked_response_path('yes_trial'))
    np.testing.assert_array_equal(
        packaged, np.loadtxt(op.join(DATA, 'yes_trial_S1_ERP_all_avg.txt')))


def test_unknown_condition_is_named():
    with pytest.raises(ValueError, match="'condition' parameter: 'detected'. Allowed "
                                         "values are 'yes_trial', 'no_trial'"):
        meg_evoked_response_path('detected')
