"""HTTP API, `/api/v1`: sessions and messages (JSON or server-sent events), products,
recommendations, shopper profiles, feedback, health, and key-protected admin jobs.

Every shopper-scoped endpoint checks who is calling (ui/access.py) before it reads or
stores anything, and session creation, messages and feedback are rate-limited per client
(ui/limits.py). Errors are JSON `{"error": "..."}` with a 4xx status that says what to
fix; the OpenAPI document is at `/api/v1/openapi.json` (Swagger UI at `/api/v1/docs`).
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.agent import MAX_MESSAGE_CHARS
from catalog.errors import BusyError, InputError, NotFoundError, ShopAssistError
from ui.access import Access, AccessError, Caller
from ui.limits import RateLimited, RateLimiter
from ui.origins import Origins
from ui.service import ShopService

PREFIX = "/api/v1"
log = logging.getLogger(__name__)


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shopper_id: str | None = Field(
        None,
        max_length=64,
        description="needs that shopper's token or the admin key; with a shopper token it "
        "defaults to the token's shopper; without either the session is a guest's",
    )
    language: Literal["en", "zh"] = "en"


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., min_length=1, max_length=MAX_MESSAGE_CHARS)
    stream: bool = Field(False, description="answer with server-sent events")


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(..., min_length=1, max_length=128)
    kind: Literal["like", "not_interested", "cart"]
    session_id: str | None = Field(None, max_length=128)
    shopper_id: str | None = Field(None, max_length=64)


class RetrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str | None = None
    epochs: int | None = Field(None, ge=1, le=1000)


class _Forbidden(ShopAssistError):
    pass


async def _caller(request: Request) -> Caller:
    """Who is calling: `Authorization: Bearer <shopper token>` or `X-API-Key`, else a guest.
    Async and read straight from the headers: FastAPI's security and header parameters
    cost more per request (measured, tens of microseconds) than the check itself."""
    access: Access = request.app.state.access  # set by install()
    headers = request.headers
    address = request.client.host if request.client else ""
    return access.identify(headers.get("authorization"), headers.get("x-api-key"), address)


Who = Annotated[Caller, Depends(_caller)]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _handler(status: int):
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return error(status, str(exc))

    return handle


def install(app: FastAPI, service: ShopService, origins: Origins) -> None:
    """Add the API routes, error handlers and the body-size limit to `app`."""
    limit = service.settings.server.max_body_bytes

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        if request.url.path.startswith(PREFIX) and request.method in ("POST", "PUT", "PATCH"):
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                return error(413, f"request body over the {limit}-byte limit")
            body = await request.body()
            if len(body) > limit:
                return error(413, f"request body over the {limit}-byte limit")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors()[:5]:
            if e.get("type") == "json_invalid":
                problems.append("the body is not valid JSON")
                continue
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {e.get('msg', 'invalid')}")
        return error(422, "; ".join(problems) or "invalid request")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        # The exception's text may quote a shopper's message: only its type is logged,
        # the traceback only when debugging.
        log.error("%s %s failed: %s", request.method, _route(request), type(exc).__name__)
        log.debug("traceback", exc_info=exc)
        return error(500, "internal error; nothing was stored for this request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if not request.url.path.startswith(PREFIX):  # Gradio's own routes keep their format
            return await http_exception_handler(request, exc)
        message = exc.detail if isinstance(exc.detail, str) else "bad request"
        if exc.status_code == 400 and "parsing the body" in message:
            message = "the body is not valid JSON (or not UTF-8)"
        response = error(exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(BusyError)
    async def busy(request: Request, exc: BusyError):
        response = error(503, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RateLimited)
    async def limited(request: Request, exc: RateLimited):
        log.info("refused %s %s: rate limit (429)", request.method, _route(request))
        response = error(429, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(AccessError)
    async def refused(request: Request, exc: AccessError):
        # which check failed, never the token or the shopper id
        log.warning(
            "refused %s %s: %s (%d)", request.method, _route(request), exc.reason, exc.status
        )
        response = error(exc.status, str(exc))
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="shopassist"'
        return response

    # Most specific first: the handler of the exception's own class is the one used.
    for cls, status in (
        (_Forbidden, 403),
        (InputError, 400),
        (NotFoundError, 404),
        (ShopAssistError, 409),
    ):
        app.add_exception_handler(cls, _handler(status))

    access = Access(service.settings.server)
    app.state.access = access
    app.include_router(router(service, access, origins), prefix=PREFIX)


def _route(request: Request) -> str:
    """The matched route's template (`/shoppers/{shopper_id}/profile`), never the ids."""
    route = request.scope.get("route")
    return getattr(route, "path", "") or "?"


def router(service: ShopService, access: Access, origins: Origins) -> APIRouter:
    api = APIRouter()
    settings = service.settings.server
    limiter = RateLimiter(service.settings.limits)

    def admin(x_api_key: Annotated[str | None, Header()] = None) -> None:
        if not settings.api_key:
            raise _Forbidden("admin endpoints are disabled: set server.api_key in the settings")
        if not x_api_key or not secrets.compare_digest(x_api_key, settings.api_key):
            raise _Forbidden("missing or wrong X-API-Key header")

    def owned(session_id: str, who: Caller) -> str | None:
        """The session's shopper, once `who` may use the session (else 401/403)."""
        owner = service.session_owner(session_id)
        access.session(who, owner)
        return owner

    @api.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return service.health()

    @api.get("/cors-check", tags=["meta"])
    def cors_check(request: Request) -> JSONResponse:
        """Whether a browser page of the calling origin may use this API, and how to admit
        it; readable from any origin (it holds no data)."""
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        out = origins.check(request.headers.get("origin"), own)
        return JSONResponse(out, headers={"Access-Control-Allow-Origin": "*"})

    @api.post("/sessions", status_code=201, tags=["chat"])
    def create_session(who: Who, body: SessionIn | None = None) -> dict[str, Any]:
        """Start a conversation, bound to the identity that starts it. Keep the returned
        `session_id`: it is a guest's only key to the session."""
        body = body or SessionIn()
        shopper_id = body.shopper_id or who.shopper_id
        if shopper_id:
            access.shopper(who, shopper_id)
        limiter.take("sessions", who.client)
        return service.new_session(shopper_id, body.language)

    @api.get("/sessions/{session_id}", tags=["chat"])
    def get_session(session_id: str, who: Who) -> dict[str, Any]:
        owned(session_id, who)
        return service.session(session_id)

    @api.post("/sessions/{session_id}/messages", tags=["chat"])
    async def post_message(session_id: str, body: MessageIn, request: Request, who: Who):
        """Send a message. With `"stream": true` (or `Accept: text/event-stream`) the reply
        comes as server-sent events: `delta` pieces of text, then one `reply` event with
        the full JSON reply (the same object the non-streaming form returns)."""
        owned(session_id, who)  # unknown session -> 404, another's -> 401/403
        limiter.take("messages", who.client)
        streaming = body.stream or "text/event-stream" in request.headers.get("accept", "")
        if not streaming:
            # already JSON-safe (ShopService.plain): skip FastAPI's re-encoding walk
            return JSONResponse(await service.call(service.send, session_id, body.text))
        if not body.text.strip():
            raise InputError("the message is empty: write what you are looking for")
        pieces: queue.Queue = queue.Queue()
        # queued now: a full queue -> 503 before the stream starts
        future = service.submit(service.send, session_id, body.text, emit=pieces.put)
        return StreamingResponse(
            _events(future, pieces),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @api.get("/products/{product_id}", tags=["catalog"])
    def get_product(product_id: str) -> dict[str, Any]:
        return service.product(product_id)

    @api.get("/shoppers/{shopper_id}/recommendations", tags=["catalog"])
    async def recommendations(
        shopper_id: str,
        who: Who,
        k: Annotated[int, Query(ge=1, le=20)] = 5,
        min_price: Annotated[float | None, Query(ge=0)] = None,
        max_price: Annotated[float | None, Query(ge=0)] = None,
        category: str | None = None,
        brand: Annotated[list[str] | None, Query()] = None,
        exclude_brand: Annotated[list[str] | None, Query()] = None,
        language: Literal["en", "zh"] = "en",
    ) -> JSONResponse:
        """Top-k for a shopper within hard filters, each with its cited explanation."""
        access.shopper(who, shopper_id)
        return JSONResponse(await service.call(
            service.recommendations,
            shopper_id, k, min_price, max_price, category, brand, exclude_brand, language,
        ))  # fmt: skip

    @api.get("/shoppers/{shopper_id}/profile", tags=["catalog"])
    def profile(shopper_id: str, who: Who) -> dict[str, Any]:
        access.shopper(who, shopper_id)
        return service.profile(shopper_id)

    @api.get("/why/{product_id}", tags=["chat"])
    def why(
        product_id: str,
        who: Who,
        session_id: str | None = None,
        shopper_id: str | None = None,
    ) -> dict[str, Any]:
        """The evidence view of one shown product: what contributed to its score."""
        if session_id:
            owner = owned(session_id, who)
            if shopper_id and shopper_id != owner:
                raise InputError("shopper_id does not match the session's shopper")
        elif shopper_id:
            access.shopper(who, shopper_id)
        return service.why(product_id, session_id, shopper_id)

    @api.post("/feedback", tags=["chat"])
    async def feedback(body: FeedbackIn, who: Who) -> JSONResponse:
        """Like, not interested or cart, for a session (then the reply joins it) or, without
        one, for a shopper (default: the token's shopper)."""
        shopper_id = body.shopper_id
        if body.session_id:
            owned(body.session_id, who)
        else:
            shopper_id = shopper_id or who.shopper_id
            if not shopper_id:
                raise InputError("give a session_id or a shopper_id")
            access.shopper(who, shopper_id)
        limiter.take("feedback", who.client)
        return JSONResponse(
            await service.call(
                service.feedback, body.product_id, body.kind, body.session_id, shopper_id
            )
        )

    @api.post("/admin/reindex", status_code=202, tags=["admin"], dependencies=[Depends(admin)])
    def reindex() -> dict[str, Any]:
        return service.start_job("reindex", service.reindex)

    @api.post("/admin/retrain", status_code=202, tags=["admin"], dependencies=[Depends(admin)])
    def retrain(body: RetrainIn | None = None) -> dict[str, Any]:
        body = body or RetrainIn()
        return service.start_job("retrain", lambda: service.retrain(body.model, body.epochs))

    @api.get("/admin/jobs/{job_id}", tags=["admin"], dependencies=[Depends(admin)])
    def job(job_id: str) -> dict[str, Any]:
        return service.job(job_id)

    @api.get("/shoppers/{shopper_id}/data", tags=["privacy"])
    def shopper_data(shopper_id: str, who: Who) -> dict[str, Any]:
        """Everything stored about one shopper (for a data-access request)."""
        access.shopper(who, shopper_id)
        return service.shopper_export(shopper_id)

    @api.delete("/shoppers/{shopper_id}", tags=["privacy"])
    def forget_shopper(shopper_id: str, who: Who) -> dict[str, Any]:
        """Right to be forgotten: delete the shopper's conversations, feedback, history and
        reviews, and drop them from the live recommender."""
        access.shopper(who, shopper_id)
        return service.forget_shopper(shopper_id)

    @api.get("/admin/export", tags=["admin"], dependencies=[Depends(admin)])
    def export() -> dict[str, Any]:
        return service.export()

    return api


def _events(future: Future, pieces: queue.Queue) -> Iterator[str]:
    """Server-sent events of one queued turn: its text pieces, then the reply (or an error)."""
    done = object()
    future.add_done_callback(lambda _: pieces.put(done))
    while (piece := pieces.get()) is not done:
        yield f"event: delta\ndata: {json.dumps({'text': piece}, ensure_ascii=False)}\n\n"
    exc = future.exception()
    if exc is None:
        yield f"event: reply\ndata: {json.dumps(future.result(), ensure_ascii=False)}\n\n"
    elif isinstance(exc, ShopAssistError):
        yield f"event: error\ndata: {json.dumps({'error': str(exc)}, ensure_ascii=False)}\n\n"
    else:  # the stream has started: report, never hang
        log.error("a streamed turn failed: %s", type(exc).__name__)
        log.debug("traceback", exc_info=exc)
        message = "internal error while answering; the message was not stored"
        yield f"event: error\ndata: {json.dumps({'error': message})}\n\n"
    yield "event: done\ndata: {}\n\n"
