from django.urls import path  # noqa: F401  (the pages' paths are added beside their views)

app_name = "satisfaction"

urlpatterns: list = []
