from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kaohe.audit import context


class AuditContextMiddleware:
    """Makes the client address and a request id available to every audit record."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.enter(request)
        try:
            return self.get_response(request)
        finally:
            context.leave(token)
