"""The guard every oracle script runs first: only the oracle's interpreter may write
oracle data (any other would write data that the tests then compare this package with
as if it were the oracle's)."""
import sys

SETUP_SCRIPTS = {'0.6.1': 'setup.sh', '0.1': 'setup_v01.sh'}


def require_oracle(version):
    """Exit (before any work) unless this is hnn-core ``version`` on NEURON 8.2.7."""
    import hnn_core
    import neuron
    if (hnn_core.__version__, neuron.__version__) != (version, '8.2.7'):
        sys.exit(f'{sys.argv[0]} is an oracle script: run it with hnn-core {version} on '
                 f'NEURON 8.2.7 ($(bash ../shared/oracle/{SETUP_SCRIPTS[version]})), not '
                 f'hnn-core {hnn_core.__version__} on NEURON {neuron.__version__} '
                 f'({hnn_core.__file__})')
