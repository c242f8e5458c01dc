"""hnn-core 0.6.1's own conversion of HNN's default.param to a network configuration.

Run with the oracle's interpreter, from the repository root:

    $(bash ../shared/oracle/setup.sh) tests/data/make_oracle_convert.py \
        tests/data/default.param tests/data/oracle_default_param_config.json
    gzip -9 tests/data/oracle_default_param_config.json
"""
import os.path as op
import sys

import matplotlib
matplotlib.use('Agg')
sys.path.insert(0, op.dirname(op.abspath(__file__)))
from oracle_guard import require_oracle  # noqa: E402
require_oracle('0.6.1')
from hnn_core import convert_to_json  # noqa: E402

convert_to_json(sys.argv[1], sys.argv[2])
print('wrote', sys.argv[2])
