from django.urls import path

from . import twostep, views

app_name = "web"

# The shell only; each domain app's pages are in its own urls.py (caredesk/urls.py).
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", twostep.login_code, name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("lang/", views.set_language, name="set_language"),
]
