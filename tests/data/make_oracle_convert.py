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
assert hnn_core.__version__ == '0.6.1', (
    f'oracle script: run it with hnn-core 0.6.1, not {hnn_core.__version__}')
from hnn_core import convert_to_json  # noqa: E402

convert_to_json(sys.argv[1], sys.argv[2])
print('wrote', sys.argv[2])
