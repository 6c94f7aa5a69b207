from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from kaohe.audit.context import client_ip
from kaohe.audit.log import Kind, record
from kaohe.audit.models import AuditEvent
from kaohe.lib.spreadsheets import read_rows, read_sheet_upload, write_template, write_xlsx
from kaohe.org import access, login, services
from kaohe.org.forms import (
    DepartmentFilterForm,
    DepartmentForm,
    ImportUploadForm,
    LoginForm,
    MembershipForm,
    PasswordSetForm,
    PersonCreateForm,
    PersonFilterForm,
    PersonForm,
    YearForm,
)
from kaohe.org.models import AssessmentYear, Department, Membership, Role, User

PAGE_SIZE = 50
# Column names of the import templates and of the exports, which can be imported again.
DEPARTMENT_HEADERS = ["部门名称", "简称", "类型", "考核组", "排序"]
PERSON_HEADERS = ["用户名", "姓名", "邮箱", "手机", "角色", "部门"]
ALL_OR_NOTHING = gettext_lazy(
    "Nothing is written until you have seen the preview and confirmed it; any error stops the whole import."
)


# Login ------------------------------------------------------------------------------------


@login_not_required
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = login.normalise(form.cleaned_data["username"])
        if login.is_locked(username):
            record(Kind.DENIED, username=username, object_type="login", success=False)
            error = _(
                "Too many failed logins. This account is locked for %(minutes)d minutes; "
                "an administrator can unlock it sooner."
            ) % {"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES}
        elif login.address_blocked(client_ip(request)):
            record(Kind.DENIED, username=username, object_type="login-address", success=False)
            error = _("Too many failed logins from your network address. Please try again in an hour.")
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                login.record_failure(username)
                # The same words whether the person exists or not.
                error = _("The username or password is not correct.")
            else:
                auth_login(request, user)
                return redirect(_next_url(request))
    elif request.method == "POST":
        error = _("Please enter your username and password.")
    return render(request, "org/login.html", {"form": form, "error": error, "cas": bool(settings.CAS_SERVER_URL)})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        record(Kind.PASSWORD, actor=user, obj=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "org/password_change.html", {"form": form})


# Departments --------------------------------------------------------------------------------


@require_safe
def department_list(request: HttpRequest) -> HttpResponse:
    form = DepartmentFilterForm(request.GET or None)
    departments = (
        access.visible_departments(request.user)
        .annotate(people=Count("memberships", filter=Q(memberships__active=True), distinct=True))
        .order_by("order", "id")
    )
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            departments = departments.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(group__icontains=q))
        if form.cleaned_data["kind"]:
            departments = departments.filter(kind=form.cleaned_data["kind"])
        state = form.cleaned_data["state"]
    else:
        state = ""
    if state == "":
        departments = departments.filter(active=True)
    elif state == "inactive":
        departments = departments.filter(active=False)
    page = Paginator(departments, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/department_list.html" + ("#department-rows" if request.htmx else "")
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_manage": _can_manage(request),
            "can_export": access.allowed(request.user, "org:department-export"),
        },
    )


def _can_manage(request: HttpRequest) -> bool:
    return access.has_role(request.user, access.MANAGE_ORGANISATION)


@require_safe
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = access.get_department_for(request, pk)
    members = department.memberships.active().select_related("user").order_by("role", "user__username")
    return render(
        request,
        "org/department_detail.html",
        {"department": department, "members": members, "can_manage": _can_manage(request)},
    )


def department_create(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        department = form.save()
        messages.success(request, _("Department “%(name)s” created.") % {"name": department.name})
        return redirect("org:department-detail", department.pk)
    return render(request, "org/department_form.html", {"form": form})


def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    department = access.get_department_for(request, pk)
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("org:department-detail", department.pk)
    return render(request, "org/department_form.html", {"form": form, "department": department})


@require_POST
def department_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    department = access.get_department_for(request, pk)
    services.set_active(department, False)
    messages.success(request, _("Department “%(name)s” deactivated.") % {"name": department.name})
    return redirect("org:department-detail", department.pk)


@require_POST
def department_activate(request: HttpRequest, pk: int) -> HttpResponse:
    department = access.get_department_for(request, pk)
    services.set_active(department, True)
    messages.success(request, _("Department “%(name)s” reactivated.") % {"name": department.name})
    return redirect("org:department-detail", department.pk)


@require_safe
def department_export(request: HttpRequest) -> HttpResponse:
    departments = access.visible_departments(request.user)
    rows = (
        (d.name, d.short_name, d.get_kind_display(), d.group, d.order, _("Yes") if d.active else _("No"))
        for d in departments
    )
    # The import's own column names, so an exported sheet can be edited and imported again.
    headers = [*DEPARTMENT_HEADERS, "启用"]
    record(Kind.EXPORT, actor=request.user, object_type="org.Department", changes={"rows": departments.count()})
    return _xlsx_response(write_xlsx(_("Departments"), headers, rows), "departments.xlsx")


@require_safe
def department_import_template(request: HttpRequest) -> HttpResponse:
    headers = DEPARTMENT_HEADERS
    instructions = [
        _("One row per department. The name is the key: a name that exists already updates that department."),
        _("Kind is one of: 教学院部, 职能部门, 其他."),
        ALL_OR_NOTHING,
    ]
    data = write_template(_("Departments"), headers, instructions, {2: ["教学院部", "职能部门", "其他"]})
    return _xlsx_response(data, "department-template.xlsx")


def department_import(request: HttpRequest) -> HttpResponse:
    return _import(
        request,
        kind="departments",
        columns=services.DEPARTMENT_COLUMNS,
        required=services.DEPARTMENT_REQUIRED,
        check=services.check_department_rows,
        write=services.import_departments,
        back="org:department-list",
        template_url="org:department-import-template",
        title=_("Import departments"),
    )


# People -------------------------------------------------------------------------------------


@require_safe
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET or None)
    people = User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(active=True).select_related("department"))
    )
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        q = data["q"].strip()
        if q:
            people = people.filter(Q(username__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q))
        if data["role"]:
            people = people.filter(memberships__role=data["role"], memberships__active=True)
        if data["department"]:
            people = people.filter(memberships__department=data["department"], memberships__active=True)
        state = data["state"]
    if state == "":
        people = people.filter(is_active=True)
    elif state == "inactive":
        people = people.filter(is_active=False)
    page = Paginator(people.distinct().order_by("username"), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/person_list.html" + ("#person-rows" if request.htmx else "")
    return render(request, template, {"form": form, "page": page})


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for(request, pk)
    memberships = person.memberships.select_related("department").order_by("-active", "role")
    changes = AuditEvent.objects.filter(object_type="org.User", object_id=str(person.pk)).select_related("actor")[:20]
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "locked": login.is_locked(person.username),
            "membership_form": MembershipForm(grantable=access.grantable_roles(request.user)),
            "changes": changes,
        },
    )


def person_create(request: HttpRequest) -> HttpResponse:
    grantable = access.grantable_roles(request.user)
    form = PersonCreateForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                **{
                    k: form.cleaned_data[k]
                    for k in ("username", "name", "email", "phone", "role", "department", "password")
                }
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": person})
            return redirect("org:person-detail", person.pk)
    return render(request, "org/person_form.html", {"form": form})


def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for(request, pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("org:person-detail", person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})


def _editable_person(request: HttpRequest, pk: int) -> User | None:
    """Nobody changes their own account from these pages, and only sysadmins touch admins."""
    person = access.get_person_for(request, pk)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot change your own account or roles here."))
        return None
    if access.has_role(person, {Role.SYSADMIN, Role.AUDITOR}) and not access.has_role(request.user, {Role.SYSADMIN}):
        messages.error(request, _("Only a system administrator can change an administrator's account."))
        return None
    return person


@require_POST
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    if person:
        services.set_active(person, False)
        messages.success(request, _("%(name)s can no longer log in.") % {"name": person})
    return redirect("org:person-detail", pk)


@require_POST
def person_activate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    if person:
        services.set_active(person, True)
        messages.success(request, _("%(name)s can log in again.") % {"name": person})
    return redirect("org:person-detail", pk)


@require_POST
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    if person:
        login.unlock(person.username, by=request.user)
        messages.success(request, _("%(name)s has been unlocked.") % {"name": person})
    return redirect("org:person-detail", pk)


def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    if person is None:
        return redirect("org:person-detail", pk)
    form = PasswordSetForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        services.set_password(person=person, password=form.cleaned_data["password"], must_change=True)
        record(Kind.PASSWORD, actor=request.user, obj=person)
        messages.success(
            request,
            _("The new password is set; %(name)s must change it at the next login.") % {"name": person},
        )
        return redirect("org:person-detail", pk)
    return render(request, "org/person_password.html", {"form": form, "person": person})


@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    if person is None:
        return redirect("org:person-detail", pk)
    form = MembershipForm(request.POST, grantable=access.grantable_roles(request.user))
    if form.is_valid():
        try:
            services.add_membership(person=person, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Role added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("org:person-detail", pk)


@require_POST
def membership_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    person = _editable_person(request, pk)
    if person is None:
        return redirect("org:person-detail", pk)
    membership = get_object_or_404(Membership, pk=membership_pk, user=person)
    if membership.role not in dict(access.grantable_roles(request.user)):
        messages.error(request, _("You may not change this role."))
    else:
        membership.active = False
        membership.save(update_fields=["active"])
        messages.success(request, _("Role ended."))
    return redirect("org:person-detail", pk)


@require_safe
def person_export(request: HttpRequest) -> HttpResponse:
    people = User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(active=True).select_related("department"))
    )
    rows = []
    for person in people:
        for m in person.memberships.all() or [None]:
            rows.append(
                (
                    person.username,
                    person.name,
                    person.email,
                    person.phone,
                    m.get_role_display() if m else "",
                    m.department.name if m and m.department else "",
                    _("Yes") if person.is_active else _("No"),
                )
            )
    headers = [*PERSON_HEADERS, "启用"]
    record(Kind.EXPORT, actor=request.user, object_type="org.User", changes={"rows": len(rows)})
    return _xlsx_response(write_xlsx(_("People"), headers, rows), "people.xlsx")


@require_safe
def person_import_template(request: HttpRequest) -> HttpResponse:
    headers = PERSON_HEADERS
    roles = [str(label) for value, label in access.grantable_roles(request.user)]
    departments = list(Department.objects.active().values_list("name", flat=True))
    instructions = [
        _("One row per person and role; a person with two roles takes two rows with the same username."),
        _("The username is the key: an existing username updates that person and adds the role."),
        _("Department heads and liaisons need a department; the other roles do not."),
        _("New people get no password: they log in through CAS, or an administrator sets one."),
        ALL_OR_NOTHING,
    ]
    data = write_template(_("People"), headers, instructions, {4: roles, 5: departments})
    return _xlsx_response(data, "people-template.xlsx")


def person_import(request: HttpRequest) -> HttpResponse:
    grantable = {value for value, label in access.grantable_roles(request.user)}
    return _import(
        request,
        kind="people",
        columns=services.PERSON_COLUMNS,
        required=services.PERSON_REQUIRED,
        check=lambda rows: services.check_person_rows(rows, grantable=grantable),
        write=lambda rows: services.import_people(rows, grantable=grantable),
        back="org:person-list",
        template_url="org:person-import-template",
        title=_("Import people"),
    )


# Import flow shared by departments and people: upload → preview → confirm ------------------


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _import(request, *, kind, columns, required, check, write, back, template_url, title) -> HttpResponse:
    context = {"title": title, "back": back, "template_url": template_url, "kind": kind}
    session_key = f"import:{kind}"
    if request.method == "POST" and "confirm" in request.POST:
        token = request.session.get(session_key)
        if not token or request.POST.get("token") != token:
            messages.error(request, _("This import has expired. Please upload the file again."))
            return redirect(request.path)
        path = _import_dir() / token
        try:
            rows = read_rows(path.read_bytes(), columns, required)
            result = write(rows)
        except (OSError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [_("The file could not be read.")])))
            return redirect(request.path)
        if not result.ok:
            return render(request, "org/import.html", {**context, "form": ImportUploadForm(), "check": result})
        path.unlink(missing_ok=True)
        del request.session[session_key]
        record(Kind.IMPORT, actor=request.user, object_type=kind, changes={"rows": len(result.rows)})
        count = len(result.rows)
        messages.success(
            request, ngettext("%(count)d row imported.", "%(count)d rows imported.", count) % {"count": count}
        )
        return redirect(back)

    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_sheet_upload(upload)
            rows = read_rows(data, columns, required)
            if not rows:
                raise ValidationError(_("The sheet has a header but no rows."))
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            result, _valid = check(rows)
            context["check"] = result
            if result.ok:
                token = secrets.token_hex(16)
                (_import_dir() / token).write_bytes(data)
                request.session[session_key] = token
                context["token"] = token
    return render(request, "org/import.html", {**context, "form": form})


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Years --------------------------------------------------------------------------------------


@require_safe
def year_list(request: HttpRequest) -> HttpResponse:
    years = AssessmentYear.objects.all()
    return render(
        request,
        "org/year_list.html",
        {"years": years, "can_manage": access.has_role(request.user, {Role.OFFICE})},
    )


def year_create(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Year created."))
        return redirect("org:year-list")
    return render(request, "org/year_form.html", {"form": form})


def year_edit(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(AssessmentYear, pk=pk)
    if year.state == AssessmentYear.State.ARCHIVED:
        messages.error(request, _("An archived year is read-only."))
        return redirect("org:year-list")
    form = YearForm(request.POST or None, instance=year)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("org:year-list")
    return render(request, "org/year_form.html", {"form": form, "year": year})


@require_POST
def year_advance(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(AssessmentYear, pk=pk)
    try:
        services.advance_year(year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(year)s is now “%(state)s”.") % {"year": year, "state": year.get_state_display()})
    return redirect("org:year-list")
