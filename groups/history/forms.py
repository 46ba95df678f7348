"""The history page's search and filters (a GET form)."""

from django import forms

from groups.history.queries import HistoryFilter


class HistoryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    year = forms.IntegerField(required=False, min_value=1900, max_value=9999)
    author = forms.CharField(required=False, max_length=200)
    keyword = forms.CharField(required=False, max_length=200)

    def wanted(self) -> HistoryFilter:
        """What to show: the valid parts of the request (an invalid part is left out)."""
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = self.cleaned_data
        return HistoryFilter(
            q=" ".join((data.get("q") or "").split()),
            year=data.get("year"),
            author=(data.get("author") or "").strip(),
            keyword=(data.get("keyword") or "").strip(),
        )
