from django.urls import path

from groups.accounts import views

urlpatterns = [
    path("accounts/profile/", views.profile, name="profile"),
]
