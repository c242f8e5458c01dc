"""The HTTP server of ``hnn-core gui``: a Starlette application run by uvicorn.

Every request needs the access token printed at start-up: given once as
``?token=`` it is kept in a cookie, so the page's own requests carry it. A page
works in a :class:`~hnn_core.gui.workspace.Workspace` of its own (header
``X-Workspace``, or ``?workspace=`` on download links). Requests are turned into
calls of the package's API; nothing a client sends is executed, and uploads are
read by the package's own readers from files named by the server inside the
page's folder. Simulations run in processes of their own
(:class:`~hnn_core.gui.runs.Run`), so the server keeps answering.
"""

import contextlib
import hmac
import json
import os
import os.path as op
import re
import secrets
import shutil
import tempfile
import threading

from .workspace import MAX_UPLOAD, Workspace

_STATIC = op.join(op.dirname(__file__), 'static')
# workspaces kept at once; a browser tab keeps its own across reloads
MAX_PAGES = 20
_TOKEN_COOKIE = 'hnn_core_gui_token'
_FORBIDDEN = ('403 Forbidden: open the address with its access token, as printed by '
              "'hnn-core gui'")
# a file name from the page: a plain name, no folders, no control characters
_PLAIN_NAME = re.compile(r'^[^/\\\x00-\x1f\x7f]{1,200}$')
_SECURITY_HEADERS = {
    'Content-Security-Policy': ("default-src 'self'; img-src 'self' data: blob:; "
                                "style-src 'self' 'unsafe-inline'; script-src 'self'"),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
}


def _plotly_js():
    from importlib.resources import files
    path = files('plotly') / 'package_data' / 'plotly.min.js'
    return str(path)


class _Pages:
    """The workspaces of the open pages, in one temporary folder."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix='hnn_core_gui_')
        self._pages = {}
        self._locks = {}
        self._guard = threading.Lock()

    def new(self):
        page = Workspace(root=self.root)
        page_id = secrets.token_hex(8)
        with self._guard:
            self._pages[page_id] = page
            self._locks[page_id] = threading.RLock()
            # pages left open longest ago make room (their runs end)
            stale = list(self._pages)[:-MAX_PAGES]
            closed = [(self._pages.pop(i), self._locks.pop(i)) for i in stale]
        for old, _ in closed:
            old.close()
        return page_id, page

    def get(self, page_id):
        with self._guard:
            if page_id not in self._pages:
                raise LookupError('this page is unknown to the server (it was '
                                  'restarted, or more than 20 pages were opened '
                                  'since): reload the page')
            # most recently used last
            self._pages[page_id] = self._pages.pop(page_id)
            return self._pages[page_id], self._locks[page_id]

    def close(self):
        with self._guard:
            pages, self._pages = list(self._pages.values()), {}
        for page in pages:
            page.close()
        shutil.rmtree(self.root, ignore_errors=True)


def create_app(token=None):
    """The Starlette application of the interface.

    Parameters
    ----------
    token : str | None
        The access token (a new random one if None), in ``app.state.token``.

    Returns
    -------
    app : starlette.applications.Starlette
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import (FileResponse, JSONResponse, PlainTextResponse,
                                     Response)
    from starlette.routing import Route

    token = token or secrets.token_urlsafe(24)
    pages = _Pages()
    plotly_js = _plotly_js()

    def _authorised(request):
        given = request.query_params.get('token') or request.cookies.get(_TOKEN_COOKIE, '')
        return hmac.compare_digest(given.encode(), token.encode())

    def _error(status, message):
        return JSONResponse({'error': message}, status_code=status)

    def _page(request):
        page_id = (request.headers.get('x-workspace') or
                   request.query_params.get('workspace'))
        return pages.get(page_id)

    def _api(handler):
        """A route of the page's API: the page's workspace, errors as messages."""
        async def endpoint(request):
            if request.method == 'POST' and request.headers.get(
                    'content-type', '').startswith('multipart/'):
                length = request.headers.get('content-length', '0')
                if not length.isdigit() or int(length) > MAX_UPLOAD + 64 * 1024:
                    return _error(413, f'the file is larger than the '
                                       f'{MAX_UPLOAD // 2 ** 20} MB the page accepts')
                form = await request.form(max_files=1, max_fields=10,
                                          max_part_size=MAX_UPLOAD + 1)
                body = {'form': form}
            elif request.method == 'POST':
                raw = await request.body()
                try:
                    body = json.loads(raw or b'{}')
                except ValueError:
                    return _error(400, 'the request body is not JSON')
                if not isinstance(body, dict):
                    return _error(400, 'the request body must be a JSON object')
            else:
                body = {}
            from starlette.concurrency import run_in_threadpool
            try:
                page, lock = _page(request)
            except LookupError as err:
                return _error(404, str(err))
            try:
                return await run_in_threadpool(_locked, handler, lock, page, request,
                                               body)
            except _TooLarge as err:
                return _error(413, str(err))
            except KeyError as err:
                return _error(404, str(err.args[0]) if err.args else 'not found')
            except (ValueError, TypeError) as err:
                return _error(400, str(err))
            except RuntimeError as err:
                return _error(409, str(err))
            finally:
                if 'form' in body:
                    await body['form'].close()
        return endpoint

    def _locked(handler, lock, page, request, body):
        with lock:
            result = handler(page, request, body)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    # -- pages and static files -------------------------------------------------------
    async def index(request):
        response = FileResponse(op.join(_STATIC, 'index.html'))
        if request.query_params.get('token'):
            response.set_cookie(_TOKEN_COOKIE, token, httponly=True, samesite='strict')
        return response

    async def static(request):
        name = request.path_params['name']
        if name == 'plotly.min.js':
            return FileResponse(plotly_js, media_type='text/javascript')
        if name not in ('app.js', 'app.css'):
            return PlainTextResponse('not found', status_code=404)
        return FileResponse(op.join(_STATIC, name))

    async def new_workspace(request):
        from starlette.concurrency import run_in_threadpool
        page_id, page = await run_in_threadpool(pages.new)
        return JSONResponse({'workspace': page_id, 'state': page.state()})

    # -- the network ---------------------------------------------------------------------
    def state(page, request, body):
        return page.state()

    def model(page, request, body):
        page.load_model(body.get('model'), body.get('mesh_shape', (10, 10)),
                        body.get('erp_drives', True))
        return page.state()

    def _saved_upload(page, body, suffix_from_name=True):
        upload = body['form'].get('file')
        if upload is None or isinstance(upload, str):
            raise ValueError('choose a file first')
        name = upload.filename or ''
        if not _PLAIN_NAME.match(name) or name in ('.', '..'):
            raise ValueError(f'the file name {name!r} is not a plain file name (no '
                             'folders, no control characters); rename the file')
        suffix = op.splitext(name)[1].lower() if suffix_from_name else ''
        if not re.match(r'^\.[a-z0-9]{1,8}$', suffix):
            suffix = ''
        path = page.new_path(suffix)
        size = 0
        with open(path, 'wb') as fid:
            while True:
                chunk = upload.file.read(1 << 20)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_UPLOAD:
                    break
                fid.write(chunk)
        if size > MAX_UPLOAD:
            os.remove(path)
            raise _TooLarge(f'{name} is larger than the {MAX_UPLOAD // 2 ** 20} MB '
                            'the page accepts')
        if size == 0:
            os.remove(path)
            raise ValueError(f'{name} is empty')
        return path, name

    def source(page, request, body):
        path, name = _saved_upload(page, body)
        page.load_file(path, name)
        return page.state()

    def grid(page, request, body):
        page.set_grid(mesh_shape=body.get('mesh_shape'),
                      inplane_distance=body.get('inplane_distance'),
                      layer_separation=body.get('layer_separation'))
        return page.state()

    def set_drive(page, request, body):
        page.set_drive(body.get('drive'), replace=body.get('replace'))
        return page.state()

    def remove_drive(page, request, body):
        page.remove_drive(request.path_params['name'])
        return page.state()

    def upload(page, request, body):
        kind = body['form'].get('kind', 'spikes')
        path, name = _saved_upload(page, body)
        record = page.add_upload(path, name, kind)
        return {'upload': {k: record[k] for k in ('id', 'name', 'kind', 'summary')},
                'state': page.state()}

    def settings(page, request, body):
        page.set_settings(**{k: body.get(k) for k in
                             ('tstop', 'dt', 'n_trials', 'backend', 'n_jobs')})
        return page.state()

    def recording(page, request, body):
        path, name = _saved_upload(page, body)
        record = page.add_upload(path, name, 'recording')
        return {'recording': {k: record[k] for k in ('id', 'name', 'n_times')},
                'state': page.state()}

    def remove_recording(page, request, body):
        page.recording(request.path_params['rid'])
        del page.recordings[request.path_params['rid']]
        return page.state()

    def download_network(page, request, body):
        from ..hnn_io import write_network_configuration
        path = page.new_path('.json')
        write_network_configuration(page.net, path)
        return _attachment(path, 'network.json', 'application/json')

    # -- runs -------------------------------------------------------------------------------
    def start_run(page, request, body):
        run = page.start_run(name=body.get('name'))
        return {'run': run.summary(), 'state': page.state()}

    def start_fit(page, request, body):
        run = page.start_fit(body)
        return {'run': run.summary(), 'state': page.state()}

    def _run(page, request):
        run_id = request.path_params['rid']
        if run_id not in page.runs:
            raise KeyError(f'no run {run_id!r} in this page')
        return page.runs[run_id]

    def get_run(page, request, body):
        return _run(page, request).summary()

    def cancel_run(page, request, body):
        run = _run(page, request)
        run.cancel()
        return run.summary()

    def delete_run(page, request, body):
        run = _run(page, request)
        run.cancel()
        del page.runs[run.id]
        shutil.rmtree(run.folder, ignore_errors=True)
        return page.state()

    def _query(request, *names):
        return {n: request.query_params.get(n) for n in names
                if request.query_params.get(n) not in (None, '')}

    def result(view):
        from . import results as res

        def handler(page, request, body):
            run = _run(page, request)
            data = run.results()
            q = request.query_params
            if view == 'dipole':
                return res.dipole_data(data, q.get('smooth'), q.get('scale'))
            if view == 'raster':
                return res.raster_data(data, q.get('trial'))
            if view == 'histogram':
                return res.histogram_data(data, q.get('trial', 'all'), q.get('bin_ms'))
            if view == 'psd':
                return res.psd_data(data, **_query(request, 'layer', 'fmin', 'fmax',
                                                   'smooth', 'scale'))
            if view == 'tfr':
                return res.tfr_data(data, **_query(request, 'layer', 'fmin', 'fmax',
                                                   'n_freqs', 'n_cycles', 'smooth',
                                                   'scale'))
            recording = page.recording(q.get('recording'))['dipole']
            return res.compare_data(data, recording, **_query(
                request, 'smooth', 'scale', 'tstart', 'tstop'))
        return handler

    def download(kind):
        from . import results as res

        def handler(page, request, body):
            run = _run(page, request)
            if kind == 'network':
                return _attachment(run.network_file, f'{run.id}_network.json',
                                   'application/json')
            data = run.results()
            if kind == 'dipoles':
                content = res.dipoles_zip(data)
                return _bytes(content, f'{run.id}_dipoles.zip', 'application/zip')
            if kind == 'spikes':
                return _bytes(res.spikes_zip(data), f'{run.id}_spikes.zip',
                              'application/zip')
            q = request.query_params
            view, image_format = q.get('view', 'dipole'), q.get('format', 'png')
            content = res.figure(data, view, image_format, q.get('smooth'),
                                 q.get('scale'), name=run.name)
            media = 'image/png' if image_format == 'png' else 'image/svg+xml'
            return _bytes(content, f'{run.id}_{view}.{image_format}', media)
        return handler

    def _attachment(path, filename, media):
        return FileResponse(path, media_type=media, filename=filename)

    def _bytes(content, filename, media):
        return Response(content, media_type=media, headers={
            'Content-Disposition': f'attachment; filename="{filename}"'})

    api = [
        ('/api/state', state, ['GET']),
        ('/api/model', model, ['POST']),
        ('/api/source', source, ['POST']),
        ('/api/grid', grid, ['POST']),
        ('/api/drives', set_drive, ['POST']),
        ('/api/drives/{name}', remove_drive, ['DELETE']),
        ('/api/uploads', upload, ['POST']),
        ('/api/settings', settings, ['POST']),
        ('/api/recordings', recording, ['POST']),
        ('/api/recordings/{rid}', remove_recording, ['DELETE']),
        ('/api/download/network', download_network, ['GET']),
        ('/api/runs', start_run, ['POST']),
        ('/api/fits', start_fit, ['POST']),
        ('/api/runs/{rid}', get_run, ['GET']),
        ('/api/runs/{rid}', delete_run, ['DELETE']),
        ('/api/runs/{rid}/cancel', cancel_run, ['POST']),
    ] + [(f'/api/runs/{{rid}}/{view}', result(view), ['GET'])
         for view in ('dipole', 'raster', 'histogram', 'psd', 'tfr', 'compare')] + [
        (f'/api/runs/{{rid}}/download/{kind}', download(kind), ['GET'])
        for kind in ('network', 'dipoles', 'spikes', 'figure')]
    async def favicon(request):
        return Response(status_code=204)

    routes = [Route('/', index), Route('/static/{name}', static),
              Route('/favicon.ico', favicon),
              Route('/api/workspaces', new_workspace, methods=['POST'])]
    routes += [Route(path, _api(handler), methods=methods)
               for path, handler, methods in api]

    async def guard(request, call_next):
        if not _authorised(request):
            return PlainTextResponse(_FORBIDDEN, status_code=403)
        response = await call_next(request)
        response.headers.update(_SECURITY_HEADERS)
        return response

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        pages.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)])
    app.state.token = token
    app.state.pages = pages
    return app


class _TooLarge(ValueError):
    """An upload over the size limit (HTTP 413)."""
