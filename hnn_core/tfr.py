"""Time-frequency power with complex Morlet wavelets (numpy and scipy only).

A Morlet wavelet at frequency f is a complex sinusoid under a Gaussian
envelope whose standard deviation in time is ``sigma_t = n_cycles / (2 pi f)``:

    w(t) = (exp(2i pi f t) - exp(-(2 pi f sigma_t)^2 / 2)) exp(-t^2 / (2 sigma_t^2))

The subtracted constant makes the wavelet integrate to zero, so that a constant
offset of the signal (e.g. a dipole's baseline) gives no power; it is below
1e-10 for ``n_cycles >= 7`` and matters only for few cycles. The wavelet is
sampled on ``|t| <= 5 sigma_t`` (the constant is computed on these samples, so
that they sum to zero exactly) and scaled to unit energy
(``sum |w|^2 = 1``). The power at each time is ``|x * w|^2`` (convolution),
so for white noise of variance s^2 the expected power is s^2 at every
frequency.
"""

import numpy as np

from ._validate import _validate_type, _check_option, _check_finite

_N_SIGMA = 5.  # half-width of the sampled wavelet, in standard deviations
# Longest wavelet built (samples; 160 MB of complex values): 1 Hz with 7 cycles
# at 40 kHz takes 0.9 million, while a mistyped n_cycles would exhaust memory.
_MAX_WAVELET_SAMPLES = 10 ** 7
PADDINGS = ('zeros', 'mirror')


def _check_freqs(freqs, sfreq):
    """Frequencies (Hz) as a 1-D float array, each > 0 and <= sfreq / 2."""
    from .dipole import _real_array
    _validate_type(freqs, (list, tuple, np.ndarray, 'numeric'), 'freqs',
                   'array-like of float')
    freqs = np.atleast_1d(_real_array(freqs, 'freqs'))
    if freqs.ndim != 1 or len(freqs) == 0:
        raise ValueError('freqs must be a non-empty 1-D array of frequencies (Hz), '
                         f'got shape {freqs.shape}')
    nyquist = sfreq / 2.
    if not np.all(np.isfinite(freqs)) or np.any(freqs <= 0) or np.any(freqs > nyquist):
        raise ValueError(f'freqs must be > 0 Hz and at most half the sampling '
                         f'frequency ({nyquist:g} Hz), got {freqs}')
    return freqs


def _check_n_cycles(n_cycles, n_freqs):
    """n_cycles as one positive float per frequency."""
    from .dipole import _real_array
    _validate_type(n_cycles, ('numeric', list, tuple, np.ndarray), 'n_cycles',
                   'float or array-like of float')
    n_cycles = _real_array(n_cycles, 'n_cycles')
    if n_cycles.ndim == 0:
        n_cycles = np.full(n_freqs, float(n_cycles))
    if n_cycles.shape != (n_freqs,):
        raise ValueError(f'n_cycles must be a number or have one value per frequency '
                         f'({n_freqs}), got shape {n_cycles.shape}')
    if not np.all(np.isfinite(n_cycles)) or np.any(n_cycles <= 0):
        raise ValueError(f'n_cycles must be > 0, got {n_cycles}')
    return n_cycles


def morlet(sfreq, freqs, n_cycles=7., zero_mean=True):
    """Complex Morlet wavelets of unit energy.

    Parameters
    ----------
    sfreq : float
        Sampling frequency (Hz).
    freqs : array-like of float, shape (n_freqs,)
        Wavelet frequencies (Hz), each > 0 and at most ``sfreq / 2``.
    n_cycles : float | array-like of float, shape (n_freqs,)
        Number of cycles in each wavelet; the Gaussian envelope has standard
        deviation ``sigma_t = n_cycles / (2 pi f)`` (s).
    zero_mean : bool
        Subtract the constant that makes the wavelet integrate to zero (see the
        module docstring).

    Returns
    -------
    wavelets : list of ndarray of complex
        One wavelet per frequency, of odd length ``2 * ceil(5 sigma_t sfreq) + 1``
        samples, centred on its middle sample, with ``sum |w|^2 = 1``.
    """
    _validate_type(sfreq, 'numeric', 'sfreq')
    if not sfreq > 0:
        raise ValueError(f'sfreq must be > 0 Hz, got {sfreq}')
    _check_finite('sfreq', sfreq)
    _validate_type(zero_mean, bool, 'zero_mean')
    freqs = _check_freqs(freqs, sfreq)
    n_cycles = _check_n_cycles(n_cycles, len(freqs))
    with np.errstate(over='ignore'):
        halves = np.ceil(_N_SIGMA * n_cycles / (2. * np.pi * freqs) * sfreq)
    if np.any(2 * halves + 1 > _MAX_WAVELET_SAMPLES):
        k = int(np.argmax(halves))
        raise ValueError(f'n_cycles={n_cycles[k]:g} at {freqs[k]:g} Hz (freqs) gives a '
                         f'wavelet of {2 * halves[k] + 1:g} samples at {sfreq:g} Hz; '
                         f'at most {_MAX_WAVELET_SAMPLES} are supported: use fewer '
                         'cycles or higher frequencies')
    wavelets = []
    for freq, cycles in zip(freqs, n_cycles):
        sigma_t = cycles / (2. * np.pi * freq)
        half = int(np.ceil(_N_SIGMA * sigma_t * sfreq))
        t = np.arange(-half, half + 1) / sfreq
        oscillation = np.exp(2j * np.pi * freq * t)
        envelope = np.exp(-t ** 2 / (2. * sigma_t ** 2))
        if zero_mean:  # the sampled version of exp(-(2 pi f sigma_t)^2 / 2)
            oscillation -= np.sum(oscillation * envelope) / np.sum(envelope)
        wavelet = oscillation * envelope
        wavelets.append(wavelet / np.sqrt(np.sum(np.abs(wavelet) ** 2)))
    return wavelets


def tfr_array_morlet(data, sfreq, freqs, n_cycles=7., padding='zeros',
                     zero_mean=True):
    """Time-frequency power of signals by convolution with Morlet wavelets.

    Parameters
    ----------
    data : array, shape (n_times,) or (n_signals, n_times)
        The signal(s), e.g. a dipole in nAm.
    sfreq : float
        Sampling frequency (Hz).
    freqs : array-like of float, shape (n_freqs,)
        Frequencies (Hz), each > 0 and at most ``sfreq / 2``.
    n_cycles : float | array-like of float, shape (n_freqs,)
        Number of cycles of each wavelet (see :func:`morlet`). More cycles
        give a finer frequency and a coarser time resolution.
    padding : str
        What lies beyond the ends of the signal during the convolution:
        ``'zeros'`` (zeros) or ``'mirror'`` (the signal reflected once about
        its first and last samples, zeros beyond; this reduces edge effects
        for signals that continue smoothly).
    zero_mean : bool
        Use zero-mean wavelets (see :func:`morlet`).

    Returns
    -------
    power : ndarray, shape (n_freqs, n_times) or (n_signals, n_freqs, n_times)
        ``|data * w_f|^2`` at every time, in the squared units of ``data``
        (a leading signal axis if ``data`` is 2-D).
    """
    from scipy.signal import fftconvolve
    from .dipole import _real_array
    _check_option('padding', padding, PADDINGS)
    data = _real_array(data, 'data')
    if data.ndim not in (1, 2) or data.shape[-1] == 0:
        raise ValueError('data must have shape (n_times,) or (n_signals, n_times) '
                         f'with n_times > 0, got {data.shape}')
    if not np.all(np.isfinite(data)):
        raise ValueError('data must be finite (no NaN or inf)')
    signals = np.atleast_2d(data)
    n_times = signals.shape[-1]
    wavelets = morlet(sfreq, freqs, n_cycles, zero_mean=zero_mean)
    power = np.empty((len(signals), len(wavelets), n_times))
    for k, wavelet in enumerate(wavelets):
        half = len(wavelet) // 2
        pad = min(half, n_times - 1) if padding == 'mirror' else 0
        # Only lags below the padded length reach an output sample; cropping the
        # wavelet to them keeps long (low-frequency) wavelets cheap.
        keep = min(half, n_times + 2 * pad - 1)
        wavelet = wavelet[half - keep:half + keep + 1]
        padded = np.pad(signals, ((0, 0), (pad, pad)), mode='reflect') if pad else signals
        coefs = fftconvolve(padded, wavelet[np.newaxis], mode='same', axes=-1)
        power[:, k] = np.abs(coefs[:, pad:pad + n_times]) ** 2
    return power[0] if data.ndim == 1 else power
