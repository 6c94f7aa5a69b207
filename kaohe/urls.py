from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kaohe.home import views as home_views
from kaohe.org import views as org_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", home_views.healthz, name="healthz"),
    path("login/", org_views.login_view, name="login"),
    path("logout/", org_views.logout_view, name="logout"),
    path("password/", org_views.password_change, name="password-change"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("cas/login/", home_views.cas_login, name="cas_ng_login"),
    path("cas/logout/", home_views.cas_logout, name="cas_ng_logout"),
    path("org/", include("kaohe.org.urls")),
    path("plans/", include("kaohe.plans.urls")),
    path("progress/", include("kaohe.progress.urls")),
    path("supervision/", include("kaohe.supervision.urls")),
    path("initiatives/", include("kaohe.initiatives.urls")),
    path("bulletins/", include("kaohe.bulletins.urls")),
    path("audit/", include("kaohe.audit.urls")),
]

handler403 = "kaohe.home.views.forbidden"
handler404 = "kaohe.home.views.not_found"
