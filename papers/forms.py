from django import forms

from papers.parsing import parse_arxiv_id


class AddPaperForm(forms.Form):
    arxiv = forms.CharField(
        label="arXiv id or URL",
        max_length=300,
        help_text="For example 2606.13392, arXiv:2606.13392v2, https://arxiv.org/abs/2606.13392 "
        "or hep-th/9901001.",
        widget=forms.TextInput(attrs={"placeholder": "2606.13392", "autocomplete": "off"}),
    )

    def clean_arxiv(self) -> str:
        text = self.cleaned_data["arxiv"].strip()
        if parse_arxiv_id(text) is None:
            raise forms.ValidationError(
                "That is not an arXiv id or arXiv URL. Ids look like 2606.13392 or hep-th/9901001."
            )
        return text
