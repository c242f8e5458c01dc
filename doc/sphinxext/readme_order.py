"""Order the examples of the gallery as the gallery's README mentions them.

``examples/README.txt`` suggests a reading path that names the examples (through
their ``sphx_glr_..._<name>.py`` labels). Listing the thumbnails in that order
keeps the page and the path consistent without renaming files; examples that
the README does not mention come last, by file name.
"""

import os.path as op

_README_NAMES = ('README.txt', 'README.rst', 'GALLERY_HEADER.rst')


class ReadmeOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``.

    Parameters
    ----------
    src_dir : str
        The folder of the examples.
    """

    def __init__(self, src_dir):
        self.src_dir = str(src_dir)
        self._text = ''
        for name in _README_NAMES:
            fname = op.join(self.src_dir, name)
            if op.isfile(fname):
                with open(fname, encoding='utf-8') as fid:
                    self._text = fid.read()
                break

    def __call__(self, filename):
        position = self._text.find(op.basename(str(filename)))
        return (position if position >= 0 else len(self._text) + 1, str(filename))

    def __repr__(self):
        return '<ReadmeOrder>'
