from django.urls import path, register_converter

from papers import views
from papers.feeds import DayFeed


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "papers"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("search/", views.search, name="search"),
    path("add/", views.add, name="add"),
    path("feed/", DayFeed(), name="feed"),
    path("week/<str:week>/", views.week, name="week"),
    path("month/<str:month>/", views.month, name="month"),
    path("p/<path:arxiv_id>/", views.detail, name="detail"),
    path("<isodate:day>/", views.day, name="day"),
    path("<isodate:day>/feed/", DayFeed(), name="day_feed"),
]
