"""Sphinx configuration of the hnn_core documentation.

Build with ``make html`` (runs the examples) or ``make html-noplot`` (renders the
examples without running them). Everything needed is local: no inventories or
other resources are fetched while building.
"""

import importlib
import os
import os.path as op
import sys
from datetime import date

HERE = op.dirname(op.abspath(__file__))
ROOT = op.dirname(HERE)
sys.path.insert(0, ROOT)  # document the working tree, even if not installed
sys.path.insert(0, op.join(HERE, 'sphinxext'))  # local helpers (readme_order)

os.environ.setdefault('MPLBACKEND', 'agg')  # examples make figures, headless

import hnn_core  # noqa: E402

# -- project --------------------------------------------------------------------
project = 'hnn_core'
author = 'hnn_core developers'
copyright = f'{date.today().year}, {author}'
version = release = hnn_core.__version__

# -- general --------------------------------------------------------------------
extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.autosummary',
    'sphinx.ext.mathjax',
    'numpydoc',
    'sphinx_gallery.gen_gallery',
]
try:  # a local copy of MathJax, so that the equations render offline too
    importlib.import_module('sphinx-mathjax-offline')
    extensions.append('sphinx-mathjax-offline')
except ImportError:  # MathJax is then loaded from its CDN by the browser
    pass
templates_path = ['_templates']
exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store',
                    'auto_examples/*.ipynb', 'auto_examples/*.py',
                    'auto_examples/*.zip', 'auto_examples/*.json',
                    'auto_examples/*.md5',
                    # left by builds before write_computation_times was off
                    'sg_execution_times.rst', 'auto_examples/sg_execution_times.rst']
source_suffix = {'.rst': 'restructuredtext'}
root_doc = 'index'
default_role = 'py:obj'

# No intersphinx: the documentation must build without a network connection.
intersphinx_mapping = {}

# -- autodoc / autosummary / numpydoc -------------------------------------------
autosummary_generate = True
autodoc_typehints = 'none'
autodoc_member_order = 'bysource'
numpydoc_show_class_members = False   # the class template lists the members
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- sphinx-gallery --------------------------------------------------------------
EXAMPLES_DIR = op.join(ROOT, 'examples')
GALLERY_DIR = op.join(HERE, 'auto_examples')


def _examples_ready():
    """The examples folder has the README that sphinx-gallery needs."""
    return any(op.isfile(op.join(EXAMPLES_DIR, name))
               for name in ('README.txt', 'README.rst', 'GALLERY_HEADER.rst'))


if _examples_ready():
    sphinx_gallery_conf = {
        'examples_dirs': '../examples',
        'gallery_dirs': 'auto_examples',
        'filename_pattern': r'/plot_',          # only plot_*.py files are run
        # as the suggested path of examples/README.txt lists them
        'within_subsection_order': 'readme_order.ReadmeOrder',
        'abort_on_example_error': True,          # a failing example fails the build
        'image_scrapers': ('matplotlib',),
        'remove_config_comments': True,
        'download_all_examples': False,
        'show_memory': False,
        # its sg_execution_times pages load jQuery and DataTables from CDNs; the
        # documentation must work offline, and the timings say little anyway
        'write_computation_times': False,
    }
else:
    # No examples yet: a placeholder page keeps the index's link valid.
    sphinx_gallery_conf = {'examples_dirs': [], 'gallery_dirs': []}
    os.makedirs(GALLERY_DIR, exist_ok=True)
    with open(op.join(GALLERY_DIR, 'index.rst'), 'w') as fid:
        fid.write('Examples\n========\n\n'
                  'The examples gallery is built from the ``examples/`` folder of '
                  'the source tree, which is not present in this build.\n')

# -- the command line help, generated from the parser itself --------------------


def _write_cli_help():
    from hnn_core.cli import _parser
    os.environ['COLUMNS'] = '80'  # argparse wraps to the terminal width
    parser = _parser()
    subparsers = [a for a in parser._actions
                  if a.__class__.__name__ == '_SubParsersAction'][0]
    out_dir = op.join(HERE, 'generated')
    os.makedirs(out_dir, exist_ok=True)
    with open(op.join(out_dir, 'cli_simulate_help.txt'), 'w') as fid:
        fid.write(subparsers.choices['simulate'].format_help())


_write_cli_help()

# -- signatures: internal keyword arguments are not part of the API -------------


def _hide_private_parameters(app, what, name, obj, options, signature,
                              return_annotation):
    """Drop internal keyword arguments (``_name=...``) from shown signatures."""
    if signature:
        inner = signature[1:-1]
        parts = [p for p in _split_params(inner) if not p.strip().startswith('_')]
        signature = '(' + ', '.join(p.strip() for p in parts) + ')'
        signature = signature.replace(', *)', ')').replace('(*)', '()')
    return signature, return_annotation


def _split_params(text):
    """Split a signature's parameters at top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in '([{':
            depth += 1
        elif char in ')]}':
            depth -= 1
        elif char == ',' and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:])
    return parts


def setup(app):
    app.connect('autodoc-process-signature', _hide_private_parameters)


# -- HTML -------------------------------------------------------------------------
html_theme = 'furo'
html_title = f'hnn_core {version}'
html_static_path = []
html_show_sourcelink = False
