from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kaohe.audit.models import AuditEvent
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role, User


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """One page per role; a person with several roles sees each role's part."""
    roles = access.role_names(request.user)
    context: dict = {
        "roles": roles,
        "year": AssessmentYear.objects.filter(state=AssessmentYear.State.RUNNING).first(),
        "Role": Role,
    }
    if roles & access.SEE_ALL_DEPARTMENTS:
        context["department_counts"] = Department.objects.aggregate(
            total=Count("id", filter=Q(active=True)),
            teaching=Count("id", filter=Q(active=True, kind=Department.Kind.TEACHING)),
            functional=Count("id", filter=Q(active=True, kind=Department.Kind.FUNCTIONAL)),
            other=Count("id", filter=Q(active=True, kind=Department.Kind.OTHER)),
        )
        counts = context["department_counts"]
        context["department_chart"] = [
            {"name": str(label), "value": counts[key]}
            for key, label in (
                ("teaching", Department.Kind.TEACHING.label),
                ("functional", Department.Kind.FUNCTIONAL.label),
                ("other", Department.Kind.OTHER.label),
            )
        ]
    if roles & {Role.HEAD, Role.LIAISON}:
        context["own_departments"] = Department.objects.filter(pk__in=access.own_department_ids(request.user))
    if Role.SYSADMIN in roles:
        context["people_count"] = User.objects.filter(is_active=True).count()
    if Role.AUDITOR in roles:
        context["recent_events"] = AuditEvent.objects.select_related("actor")[:10]
    return render(request, "home/home.html", context)


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _cas_enabled() -> None:
    if not settings.CAS_SERVER_URL:
        raise Http404


@login_not_required
def cas_login(request: HttpRequest) -> HttpResponse:
    _cas_enabled()
    from django_cas_ng.views import LoginView

    return LoginView.as_view()(request)


@login_not_required
def cas_logout(request: HttpRequest) -> HttpResponse:
    _cas_enabled()
    from django_cas_ng.views import LogoutView

    return LogoutView.as_view()(request)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
