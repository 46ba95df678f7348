from django.db import models


class Paper(models.Model):
    """A research paper, keyed by its arXiv id (without version). Filled by imports only."""

    arxiv_id = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=1000)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True, help_text="Author names, in order.")
    published_at = models.DateTimeField(null=True, blank=True)
    upvotes = models.IntegerField(default=0)
    num_comments = models.IntegerField(default=0)
    github_repo = models.URLField(max_length=500, blank=True)
    github_stars = models.IntegerField(null=True, blank=True)
    project_page = models.URLField(max_length=500, blank=True)
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    organization = models.CharField(max_length=300, blank=True)
    thumbnail_url = models.URLField(max_length=500, blank=True)
    categories = models.JSONField(default=list, blank=True)
    latest_version = models.PositiveSmallIntegerField(default=1)
    withdrawn = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "arxiv_id"]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"
