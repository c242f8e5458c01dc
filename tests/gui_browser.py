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
