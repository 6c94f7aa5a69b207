from django.urls import path

from kaohe.progress import views

app_name = "progress"

urlpatterns = [
    # /progress/: every node of the year with its light, and each person's to-do list
    path("", views.node_list, name="node-list"),
    path("todo/", views.todo, name="todo"),
    path("nodes/<int:pk>/", views.node_detail, name="node-detail"),
    path("nodes/<int:node_pk>/report/", views.report_create, name="report-create"),
    path("nodes/<int:pk>/verify/", views.node_seal, name="node-seal"),
    path("nodes/<int:pk>/reopen/", views.node_reopen, name="node-reopen"),
    # /progress/reports/
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/<int:pk>/decide/", views.report_decide, name="report-decide"),
    # /progress/evidence/: files leave only through the download view
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence-remove"),
    # /progress/archive/: a target's archive (一事一档) and a department's archive as a zip
    path("archive/targets/<int:pk>/", views.target_archive, name="target-archive"),
    path("archive/export/", views.archive_export, name="archive-export"),
    path("archive/exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("archive/exports/<int:pk>/download/", views.export_download, name="export-download"),
]
