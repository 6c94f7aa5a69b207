from kaohe.supervision.views import rectifications, rounds, selfchecks, statistics, verification

app_name = "supervision"

# Each page group keeps its own routes beside its views (rounds, the on-site verification, the
# self-check reports, rectification, the statistics), all under /supervision/.
urlpatterns = [
    *rounds.urlpatterns,
    *verification.urlpatterns,
    *selfchecks.urlpatterns,
    *rectifications.urlpatterns,
    *statistics.urlpatterns,
]
