"""hnn-core 0.6.1's own conversion of HNN's default.param to a network configuration.

Run with the oracle's interpreter, from the repository root:

    $(bash ../shared/oracle/setup.sh) tests/data/make_oracle_convert.py \
        tests/data/default.param tests/data/oracle_default_param_config.json
    gzip -9 tests/data/oracle_default_param_config.json
"""
import sys

import matplotlib
matplotlib.use('Agg')
import hnn_core  # noqa: E402
import neuron  # noqa: E402
if (hnn_core.__version__, neuron.__version__) != ('0.6.1', '8.2.7'):
    # oracle data must come from the oracle: any other version would write data
    # that the tests then compare this package with as if it were the oracle's
    sys.exit(f'{sys.argv[0]} is an oracle script: run it with hnn-core 0.6.1 on '
             f'NEURON 8.2.7 ($(bash ../shared/oracle/setup.sh)), not hnn-core '
             f'{hnn_core.__version__} on NEURON {neuron.__version__} '
             f'({hnn_core.__file__})')
from hnn_core import convert_to_json  # noqa: E402

convert_to_json(sys.argv[1], sys.argv[2])
print('wrote', sys.argv[2])
