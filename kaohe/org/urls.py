from django.urls import path

from kaohe.org import views

app_name = "org"

urlpatterns = [
    # /departments/
    path("departments/", views.department_list, name="department-list"),
    path("departments/new/", views.department_create, name="department-create"),
    path("departments/export/", views.department_export, name="department-export"),
    path("departments/import/", views.department_import, name="department-import"),
    path("departments/import/template/", views.department_import_template, name="department-import-template"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department-edit"),
    path("departments/<int:pk>/deactivate/", views.department_deactivate, name="department-deactivate"),
    path("departments/<int:pk>/activate/", views.department_activate, name="department-activate"),
    # /people/
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/export/", views.person_export, name="person-export"),
    path("people/import/", views.person_import, name="person-import"),
    path("people/import/template/", views.person_import_template, name="person-import-template"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/activate/", views.person_activate, name="person-activate"),
    path("people/<int:pk>/unlock/", views.person_unlock, name="person-unlock"),
    path("people/<int:pk>/password/", views.person_password, name="person-password"),
    path("people/<int:pk>/roles/", views.membership_add, name="membership-add"),
    path("people/<int:pk>/roles/<int:membership_pk>/end/", views.membership_end, name="membership-end"),
    # /years/
    path("years/", views.year_list, name="year-list"),
    path("years/new/", views.year_create, name="year-create"),
    path("years/<int:pk>/edit/", views.year_edit, name="year-edit"),
    path("years/<int:pk>/advance/", views.year_advance, name="year-advance"),
]
