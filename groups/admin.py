from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from groups.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "time_zone")}),
    )
