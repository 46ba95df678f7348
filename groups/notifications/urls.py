from django.urls import path

from groups.notifications import views

urlpatterns = [
    path("accounts/notifications/", views.email_settings, name="email_settings"),
    path("email/digest/subscribe/", views.digest_subscribe_view, name="email_digest_subscribe"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="email_unsubscribe"),
]
