"""A web interface to hnn_core: ``hnn-core gui`` (needs ``pip install 'hnn_core[gui]'``).

Load a published model, a parameter file or a network file, edit its drives,
run simulations in the background and compare their dipoles, spikes and
spectra with a recording, in a browser page served from this machine.
The layers: :mod:`.workspace` (what a page works on, pure Python),
:mod:`.runs` and :mod:`._worker` (simulations in processes of their own),
:mod:`.results` (what the page plots), :mod:`.server` (HTTP).
"""

_NEEDS = ('starlette', 'uvicorn', 'multipart', 'plotly')


def _check_installed():
    import importlib.util
    missing = [name for name in _NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"hnn-core gui needs {', '.join(missing)}: install the "
                          "interface's extra with pip install 'hnn_core[gui]'")


def launch(host='127.0.0.1', port=0, open_browser=True):
    """Serve the interface until interrupted (Ctrl+C).

    Parameters
    ----------
    host : str
        Address to listen on; the default, 127.0.0.1, admits this machine only.
    port : int
        Port to listen on; 0 picks a free one.
    open_browser : bool
        Open the page in the default web browser.

    Notes
    -----
    The address printed on standard output carries a random access token; any
    request without it is refused (HTTP 403).
    """
    import socket
    import threading
    import webbrowser
    _check_installed()
    import uvicorn
    from .server import create_app
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections wait for the server from now on
    port = sock.getsockname()[1]
    app = create_app()
    shown = f'[{host}]' if family == socket.AF_INET6 else host
    url = f'http://{shown}:{port}/?token={app.state.token}'
    print(f'hnn-core gui: {url}', flush=True)
    print('Open that address in a browser; press Ctrl+C here to stop.', flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level='warning', lifespan='on'))
    server.run(sockets=[sock])
