import datetime as dt
import re
from typing import cast

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connections, models
from django.db.models import Case, F, Q, When

from papers.terms import Terms, terms_load, text_terms

# What search puts around a matching word in `title_marked` and `snippet` (the `marked` filter
# turns them into <mark>): control characters, which papers.parsing strips from all text.
MARK_START = "\x02"
MARK_STOP = "\x03"
# The words of a query for SQLite's FTS5: letters and digits, each searched as a quoted string.
FTS_WORD = re.compile(r"\w+")


def arxiv_abs_url(arxiv_id: str) -> str:
    """The paper's abstract page on arXiv (for lists built without model instances)."""
    return f"https://arxiv.org/abs/{arxiv_id}"


class PaperQuerySet(models.QuerySet["Paper"]):
    """Reads the pages need. Each is one query, whatever the number of papers.

    The listing reads (a day, a span of days, search) leave out papers a moderator hid.
    """

    def listed(self) -> "PaperQuerySet":
        """Papers that may appear in lists, search, feeds and on the home page."""
        return self.filter(hidden=False)

    def for_day(self, day: dt.date) -> "PaperQuerySet":
        return self.listed().filter(listings__day=day)

    def for_days(self, first: dt.date, last: dt.date) -> "PaperQuerySet":
        """Papers listed on any day from first to last (inclusive), each once."""
        listed = DailyListing.objects.filter(day__range=(first, last)).values("paper_id")
        return self.listed().filter(pk__in=listed)

    def term_counts(self) -> list[tuple[int, Terms]]:
        """Each paper's term counts (papers.terms), by id: those papers.indexing stored with
        its current text, or, for a paper pending indexing (new, or its text changed since),
        its text's, worked out here. One query; a text is read only for a paper pending."""
        # Pending, or indexed before PaperTerms existed: the stored counts are not its text's.
        text_needed = Q(search_indexed_at__isnull=True) | Q(terms__isnull=True)

        def if_needed(field: str, output: models.Field) -> Case:
            return Case(When(text_needed, then=F(field)), default=None, output_field=output)

        rows = self.order_by().values_list(
            "pk",
            "terms__counts",
            if_needed("title", models.TextField()),
            if_needed("abstract", models.TextField()),
            if_needed("ai_keywords", models.JSONField()),
        )
        return [
            (pk, terms_load(counts) if abstract is None else text_terms(title, abstract, keywords))
            for pk, counts, title, abstract, keywords in rows
        ]

    def cards(self) -> "PaperQuerySet":
        """Leaves out what cards never show (the imports' digests)."""
        return self.defer("import_hash", "content_hash")

    def sorted_by(self, sort: str) -> "PaperQuerySet":
        if sort == "new":
            return self.order_by(F("published_at").desc(nulls_last=True), "-id")
        return self.order_by("-upvotes", "-num_comments", "-id")

    def search(self, query: str) -> "PaperQuerySet":
        """Ranked full-text search: PostgreSQL's (PaperSearch vectors, GIN index, websearch
        syntax, English stemming) or SQLite's FTS5 (porter stemming, every word must match).

        Matches title, abstract, authors and AI keywords; best matches first (title matches
        weigh most). Each paper comes with `title_marked` and `snippet` (a stretch of the
        abstract), the matching words between MARK_START and MARK_STOP, for the `marked`
        filter. Hidden papers never. Only papers already indexed (papers.indexing) are found.
        """
        query = " ".join(query.split())
        if not query:
            return self.none()
        papers = self.listed()
        if connections[papers.db].vendor == "postgresql":
            search_query = SearchQuery(query, config="english", search_type="websearch")
            return (
                papers.filter(search__vector=search_query)
                .annotate(
                    rank=SearchRank(F("search__vector"), search_query),
                    title_marked=SearchHeadline(
                        "title",
                        search_query,
                        config="english",
                        start_sel=MARK_START,
                        stop_sel=MARK_STOP,
                        highlight_all=True,
                    ),
                    snippet=SearchHeadline(
                        "abstract",
                        search_query,
                        config="english",
                        start_sel=MARK_START,
                        stop_sel=MARK_STOP,
                        max_words=40,
                        min_words=20,
                        max_fragments=2,
                        fragment_delimiter=" … ",
                    ),
                )
                .order_by("-rank", "-upvotes", "-id")
            )
        words = FTS_WORD.findall(query)[:12]
        if not words:
            return self.none()
        match = " ".join(f'"{word}"' for word in words)
        # FTS5's rank (bm25), highlight() and snippet() exist only in a query of the FTS table
        # itself: extra() joins it, which the ORM has no other way to say.
        found = papers.extra(
            tables=["papers_paper_fts"],
            where=["papers_paper_fts.rowid = papers_paper.id", "papers_paper_fts MATCH %s"],
            params=[match],
            select={
                "rank": "bm25(papers_paper_fts, 5.0, 2.0, 1.0)",
                "title_marked": "highlight(papers_paper_fts, 0, char(2), char(3))",
                "snippet": "snippet(papers_paper_fts, 1, char(2), char(3), ' … ', 40)",
            },
            order_by=["rank", "-upvotes", "-id"],
        )
        return cast("PaperQuerySet", found)  # extra() is typed as returning a plain QuerySet


class Paper(models.Model):
    """A research paper, keyed by its arXiv id (without version). Filled by imports only."""

    # Unique by a constraint rather than unique=True, which on PostgreSQL adds a second index
    # (varchar_pattern_ops, for LIKE) that nothing uses and every import would write.
    arxiv_id = models.CharField(max_length=32)
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
    # Hidden by a moderator (spam, a withdrawn paper): out of every listing, search and feed;
    # its page stays for the groups that nominated it (papers.views.detail).
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Full-text search is kept off the write path (papers.indexing): an import that creates a
    # paper or changes its text sets `search_indexed_at` to NULL and queues the indexing, which
    # writes the paper's PaperSearch row (PostgreSQL) or FTS5 row (SQLite), then sets it.
    search_indexed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Digests of the last import that changed the paper (papers.upsert): of the source's item
    # as sent, so that a re-import of the same item is known unchanged without reading it, and
    # of its fields less the counters, so that a re-import where only counters moved writes
    # only those.
    import_hash = models.CharField(max_length=32, blank=True, default="", editable=False)
    content_hash = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "arxiv_id"]
        indexes = [
            models.Index(fields=["organization"], name="paper_organization_idx"),
            models.Index(
                fields=["id"],
                name="paper_search_pending_idx",
                condition=Q(search_indexed_at__isnull=True),
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["arxiv_id"], name="paper_arxiv_id_unique")]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title}"

    @property
    def abs_url(self) -> str:
        return arxiv_abs_url(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.arxiv_id}"

    @property
    def github_name(self) -> str:
        """ "owner/repo" for a GitHub link, else the URL as given."""
        prefix = "https://github.com/"
        if self.github_repo.startswith(prefix):
            return self.github_repo.removeprefix(prefix).strip("/")
        return self.github_repo

    @property
    def short_authors(self) -> str:
        """The first three names, then "et al." with the count, as on the daily list."""
        names = [str(name) for name in self.authors]
        if len(names) <= 3:
            return ", ".join(names)
        return f"{', '.join(names[:3])} and {len(names) - 3} more"


class PaperSearch(models.Model):
    """A paper's full-text search vector (PostgreSQL; on SQLite an FTS5 table stands in).

    Title weighted A; abstract, authors and keywords B (papers.indexing). Apart from Paper so
    that imports, which rewrite Paper rows, never touch the vectors or their GIN index
    (migration 0006 creates it on PostgreSQL only): only the indexing task writes here.
    """

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="search"
    )
    vector = SearchVectorField()

    def __str__(self) -> str:
        return f"search vector of {self.paper_id}"


class PaperTerms(models.Model):
    """How often each term occurs in a paper's text (papers.terms.paper_terms), for the
    similarity of papers a group has read (groups.similar): written by papers.indexing with the
    search vector, in the same transaction that sets `Paper.search_indexed_at`, so a paper
    indexed has the counts of its current text and one pending indexing has none to trust.

    A JSON object in a text column, not a JSONField: PostgreSQL's jsonb reorders the keys, and
    the order is that of the sums the similarity adds up (the same to the last bit on both
    databases and as the text's own counts)."""

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="terms"
    )
    counts = models.TextField()

    def __str__(self) -> str:
        return f"terms of {self.paper_id}"


class DailyListing(models.Model):
    """A paper's appearance on the daily list of one day (a paper can appear on several)."""

    # No index of its own: the unique (paper, day) constraint's index serves lookups by paper,
    # and every index is written by each import.
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="listings", db_index=False
    )
    day = models.DateField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "day"], name="one_listing_per_paper_day")
        ]
        indexes = [models.Index(fields=["day", "paper"], name="listing_day_idx")]

    def __str__(self) -> str:
        return f"{self.paper_id} on {self.day}"


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def succeeded(self) -> "ImportRunQuerySet":
        return self.filter(status=ImportRun.Status.SUCCEEDED)


class ImportRun(models.Model):
    """One import from one source for one request (a day, a category, ids, a file)."""

    class Source(models.TextChoices):
        HF_DAILY = "hf_daily", "Hugging Face daily papers"
        ARXIV_IDS = "arxiv_ids", "arXiv by id"
        ARXIV_CATEGORY = "arxiv_category", "arXiv category"
        FILE = "file", "Saved file"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=20, choices=Source)
    request = models.CharField(
        max_length=500, help_text="What was asked: a date, ids, a category or a file name."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # The days (YYYY-MM-DD) whose daily lists the run put its papers on; none for arXiv.
    days = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["source", "request", "status"], name="importrun_lookup_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["hf_daily", "arxiv_ids", "arxiv_category", "file"]),
                name="importrun_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["running", "succeeded", "failed"]),
                name="importrun_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.request} ({self.status})"

    @property
    def summary(self) -> str:
        """The counts, and the day whose list the papers went on (e.g. "30 created, 0 updated,
        0 unchanged, 0 skipped; listed on 2026-06-12")."""
        counts = (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )
        return f"{counts}; listed on {days_text(self.days)}" if self.days else counts


def days_text(days: list[str]) -> str:
    """A few days in full, more as a span: "2026-06-12", "2026-06-10 to 2026-06-16 (7 days)"."""
    days = sorted(set(days))
    if len(days) <= 3:
        return ", ".join(days)
    return f"{days[0]} to {days[-1]} ({len(days)} days)"


class ImportSkip(models.Model):
    """A record an import left out, and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="skips")
    record_id = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.record_id or '(no id)'}: {self.reason}"
