"""A served interface and Debian's headless Chromium, for tests/test_gui_browser.py.

The browser is Debian's (``chromium`` and ``chromium-driver``, which
tools/test.sh installs); nothing is downloaded. Without it the tests fail:
they must run wherever the test command runs.
"""

import os
import os.path as op
import subprocess
import sys
import time

import pytest

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
WIDTH, HEIGHT = 1280, 800


class Served:
    """``hnn-core gui --no-browser`` in a process of its own."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'hnn_core.cli', 'gui', '--no-browser'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.startswith('hnn-core gui: http://'):
            self.stop()
            raise RuntimeError(f'hnn-core gui did not start: {line!r}')
        self.url = line.split(': ', 1)[1].strip()
        self.base = self.url.split('/?')[0]
        self.token = self.url.split('token=')[1]

    def stop(self):
        from hnn_core.backends import _end_process_tree
        _end_process_tree(self.proc)
        self.proc.stdout.close()


def make_browser(download_dir):
    """Headless Chromium at 1280x800 that saves downloads in ``download_dir``."""
    if not (op.exists(CHROMIUM) and op.exists(CHROMEDRIVER)):
        pytest.fail(f'{CHROMIUM} and {CHROMEDRIVER} are needed (Debian packages '
                    'chromium and chromium-driver; bash tools/test.sh installs them)')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu',
                 '--disable-dev-shm-usage', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run',
                 '--disable-quic', f'--window-size={WIDTH},{HEIGHT}',
                 f'--user-data-dir={download_dir}-profile'):
        options.add_argument(flag)
    options.add_experimental_option('prefs', {
        'download.default_directory': str(download_dir),
        'download.prompt_for_download': False,
        'safebrowsing.enabled': False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd('Page.setDownloadBehavior',
                           {'behavior': 'allow', 'downloadPath': str(download_dir)})
    # the inner size of the page is what a 1280x800 screen shows
    driver.set_window_size(WIDTH, HEIGHT)
    inner = driver.execute_script('return [window.innerWidth, window.innerHeight]')
    driver.set_window_size(2 * WIDTH - inner[0], 2 * HEIGHT - inner[1])
    return driver


def wait_for_file(folder, name, timeout=60):
    """The path of ``name`` in ``folder`` once the browser has finished saving it."""
    path = op.join(folder, name)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if op.exists(path) and not op.exists(path + '.crdownload'):
            return path
        time.sleep(0.1)
    raise AssertionError(f'{name} was not downloaded; the folder has '
                         f'{sorted(os.listdir(folder))}')


# -- screenshots ---------------------------------------------------------------------------
# A screenshot of a view "shows data" when the plot area of its plot (the union of
# plotly's subplot rectangles, so neither the legend nor the axes' labels) holds
# enough pixels of the colours its traces were drawn with. Grey colours (the
# recording's near-black line) cannot be told from text and grid lines and are
# not counted; a heat map's colours are its colour scale's. Views without a plot
# (network, drives, run) are checked for text in the box of their summary, table
# or list. The boxes and colours come from the live page when the screenshot is
# taken and are stored beside the images (gui_screenshots.json), so the committed
# images can be checked without a browser.
MIN_DATA_PIXELS = 250
MIN_TEXT_PIXELS = 400
COLOR_TOLERANCE = 28  # per channel, 0-255: anti-aliased lines keep their core colour

# [x0, y0, x1, y1] in CSS pixels (one screenshot pixel each): the plot area of the
# plot `arguments[0]`, or of the element itself when it has no subplot
PLOT_BOX_JS = """
const node = document.getElementById(arguments[0]);
let rects = Array.from(node.querySelectorAll('.nsewdrag')).map(r => r.getBoundingClientRect());
if (!rects.length) rects = [node.getBoundingClientRect()];
return [Math.min(...rects.map(r => r.left)), Math.min(...rects.map(r => r.top)),
        Math.max(...rects.map(r => r.right)), Math.max(...rects.map(r => r.bottom))];
"""

# the colours the traces of plot `arguments[0]` were drawn with (a heat map: its scale)
PLOT_COLORS_JS = """
const node = document.getElementById(arguments[0]);
const colors = new Set();
const add = (c) => { if (Array.isArray(c)) c.forEach(add); else if (typeof c === 'string') colors.add(c); };
for (const trace of node.data || []) {
  if (trace.line) add(trace.line.color);
  if (trace.marker) { add(trace.marker.color); if (trace.marker.line) add(trace.marker.line.color); }
}
const axis = node._fullLayout && node._fullLayout.coloraxis;
if (axis && axis.colorscale) axis.colorscale.forEach(([, c]) => add(c));
return Array.from(colors);
"""


def _rgb(color):
    """(r, g, b) of '#rrggbb' or 'rgb(r, g, b)' (plotly's colour scales use both)."""
    color = color.strip()
    if color.startswith('#'):
        return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    inside = color[color.index('(') + 1:color.index(')')]
    return tuple(int(float(v)) for v in inside.split(',')[:3])


def _clipped(box):
    x0, y0, x1, y1 = box
    return (max(0, int(round(x0))), max(0, int(round(y0))),
            min(WIDTH, int(round(x1))), min(HEIGHT, int(round(y1))))


def check_screenshot(path, info):
    """Assert that the PNG at ``path`` is 1280x800 and shows the data ``info`` says.

    ``info`` is a view's entry of gui_screenshots.json: ``box`` (the plot area) and
    ``colors`` (its traces' colours) for a plot, or ``box`` None and ``text_box``
    for a view of text. Returns the number of matching pixels.
    """
    import matplotlib.image
    import numpy as np
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (HEIGHT, WIDTH), f'{path}: {image.shape[1]}x{image.shape[0]}'
    rgb = np.round(image[..., :3] * 255).astype(int)
    if info.get('box'):
        x0, y0, x1, y1 = _clipped(info['box'])
        assert x1 - x0 > 100 and y1 - y0 > 100, f'{path}: plot box {info["box"]}'
        region = rgb[y0:y1, x0:x1].reshape(-1, 3)
        colors = [c for c in map(_rgb, info['colors']) if max(c) - min(c) >= 40]
        assert colors, f'{path}: no trace colour to look for in {info["colors"]}'
        found = np.zeros(len(region), bool)
        for color in colors:
            found |= np.abs(region - color).max(axis=1) <= COLOR_TOLERANCE
        count = int(found.sum())
        assert count >= MIN_DATA_PIXELS, (
            f'{path}: only {count} pixels of the traces\' colours {info["colors"]} in '
            f'the plot area {info["box"]}: the plot shows no data')
        return count
    x0, y0, x1, y1 = _clipped(info['text_box'])
    region = rgb[y0:y1, x0:x1].reshape(-1, 3)
    count = int((region.max(axis=1) < 110).sum())
    assert count >= MIN_TEXT_PIXELS, (
        f'{path}: only {count} text pixels in {info["text_box"]}: the view is empty')
    return count
