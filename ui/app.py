"""The web server: one FastAPI app with the HTTP API under `/api/v1`, the widget
script at `/widget.js`, an example host page at `/widget/example`, and the
Gradio UI at `/`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse

from catalog.store import Store
from shopassist.settings import Settings
from ui import api
from ui.origins import Origins, OriginWatch
from ui.render import CSS
from ui.service import ShopService

STATIC = Path(__file__).resolve().parent / "static"
EXAMPLE_HOST = STATIC / "example-host.html"


def create_app(
    settings: Settings, store: Store, catalog: str, llm: str | None = None, ui: bool = True
) -> tuple[FastAPI, ShopService]:
    import gradio as gr

    from ui.web import build_ui

    service = ShopService(settings, store, catalog, llm)
    service.warm_up()
    app = FastAPI(
        title="ShopAssist API",
        version="1",
        description="Grounded, cited product recommendations in conversation. A shopper's "
        "data needs that shopper's token (`Authorization: Bearer <token>`, signed by the shop "
        "with server.shopper_secret) or the admin key (`X-API-Key`); without either a caller "
        "is a guest.",
        docs_url=f"{api.PREFIX}/docs",
        openapi_url=f"{api.PREFIX}/openapi.json",
        redoc_url=None,
    )
    origins = Origins(settings.server.cors_origins)
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "X-API-Key", "Accept", "Authorization"],
        )
    app.add_middleware(OriginWatch, origins=origins, prefix=api.PREFIX)  # outside CORS
    api.install(app, service, origins)

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript")

    @app.get("/widget/example", include_in_schema=False)
    def widget_example() -> HTMLResponse:
        page = EXAMPLE_HOST.read_text(encoding="utf-8")
        return HTMLResponse(
            page.replace('src="http://127.0.0.1:7860/widget.js"', 'src="/widget.js"')
        )

    if ui:
        app = gr.mount_gradio_app(app, build_ui(service), path="/", css=CSS, footer_links=["api"])
    return app, service
