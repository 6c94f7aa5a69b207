from kaohe.initiatives.views import achievements, brands, duties, projects

app_name = "initiatives"

# Each page group keeps its routes beside its views: major projects, brands, highlights and
# awards, and the notification duty, all under /initiatives/.
urlpatterns = [
    *projects.urlpatterns,
    *brands.urlpatterns,
    *achievements.urlpatterns,
    *duties.urlpatterns,
]
