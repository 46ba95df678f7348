from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

# The admin signs in through allauth (its rate limits and its pages), never its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way: replace the AdminSite's login method
admin.site.site_header = "Paper Club administration"
admin.site.site_title = "Paper Club admin"

# A lost database answers 503 "try again in a moment"; anything else is the plain 500 page.
handler500 = "config.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("groups.urls")),
    path("accounts/", include("allauth.urls")),
    path("papers/", include("papers.urls")),
]
