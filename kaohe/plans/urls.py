from django.urls import path

from kaohe.plans import views

app_name = "plans"

urlpatterns = [
    # /plans/: each department's plan for the year
    path("", views.plan_list, name="plan-list"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("<int:pk>/decide/", views.plan_decide, name="plan-decide"),
    path("<int:plan_pk>/targets/new/", views.target_create, name="target-create"),
    # /plans/targets/: the school-wide list and each target
    path("targets/", views.target_list, name="target-list"),
    path("targets/export/", views.target_export, name="target-export"),
    path("targets/<int:pk>/", views.target_detail, name="target-detail"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("targets/<int:pk>/split/", views.target_split, name="target-split"),
    path("targets/<int:target_pk>/adjust/", views.adjustment_create, name="adjustment-create"),
    # /plans/adjustments/
    path("adjustments/", views.adjustment_list, name="adjustment-list"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment-decide"),
    # /plans/import/
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import-template"),
    path("import/<int:pk>/", views.import_job, name="import-job"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
]
