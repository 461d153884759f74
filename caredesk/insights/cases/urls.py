from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_library, name="case_library"),
    path("cases/<int:case_id>/", views.case_page, name="case_page"),
    path("cases/<int:case_id>/publish/", views.case_publish, name="case_publish"),
    path("cases/from-complaint/<str:number>/", views.case_generate, name="case_generate"),
    path("cases/similar/<str:number>/", views.case_similar, name="case_similar"),
]
