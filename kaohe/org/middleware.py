from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.org import access

Handler = Callable[[HttpRequest], HttpResponse]

# Refreshing the idle clock on every request would write the session row on every request;
# once a minute is precise enough for a 30-minute timeout.
_TOUCH_EVERY_SECONDS = 60


class SessionTimeoutMiddleware:
    """Logs a person out after the idle timeout (等保: 登录超时自动退出)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen", now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.warning(request, _("Your session expired after a period of inactivity. Please log in again."))
                if request.htmx:  # type: ignore[attr-defined]
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = settings.LOGIN_URL
                    return response
                return redirect(f"{_login_url()}?next={request.path}")
            if now - last_seen >= _TOUCH_EVERY_SECONDS or "last_seen" not in request.session:
                request.session["last_seen"] = now
        return self.get_response(request)


def _login_url() -> str:
    from django.urls import reverse

    return reverse(settings.LOGIN_URL)


class AccessPolicyMiddleware:
    """Enforces ``access.POLICY`` for every view: unclassified URLs and other roles get 403."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        name = request.resolver_match.view_name if request.resolver_match else ""
        rule = access.POLICY.get(name)
        if rule == access.PUBLIC:
            return None
        if not request.user.is_authenticated:
            return None  # LoginRequiredMiddleware has already sent anonymous people to log in
        if rule is not None and access.has_role(request.user, rule):
            return None
        from kaohe.audit.log import Kind, record

        record(Kind.DENIED, actor=request.user, object_type="url", object_id=name, success=False)
        return render(request, "403.html", status=403)


class PasswordExpiryMiddleware:
    """Sends a person whose password must change to the change page first (等保 rotation)."""

    ALLOWED = {"password-change", "logout", "set_language", "healthz", "login"}

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not user.has_usable_password():
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in self.ALLOWED:
            return None
        if password_expired(user):
            messages.info(request, _("Please set a new password before you continue."))
            return redirect("password-change")
        return None


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age or user.password_changed_at is None:
        return False
    return (timezone.now() - user.password_changed_at).days >= max_age
