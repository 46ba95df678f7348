"""Papers on a few distinct subjects, written by hand, so tests can say which must rank first;
and a group that discussed some of them."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from groups.models import DiscussionSession, Nomination, ReadingGroup, Vote
from papers.models import DailyListing, Paper
from tests.factories import PaperFactory
from tests.people import Cast

TOPICS = {
    "decoding": (
        "Faster Speculative Decoding with Draft Trees",
        "Speculative decoding speeds up autoregressive language model inference: a small draft model "
        "proposes tokens that the large target model verifies in parallel. We organise draft tokens "
        "into trees and accept longer drafts, doubling decoding throughput without changing outputs.",
        ["speculative decoding", "draft model", "inference acceleration"],
    ),
    "decoding2": (
        "Self-Speculative Decoding by Layer Skipping",
        "Instead of a separate draft model, the target language model drafts tokens by skipping "
        "layers, then verifies them with all layers. Speculative decoding with no extra model keeps "
        "the inference speedup and the exact output distribution.",
        ["speculative decoding", "layer skipping", "inference"],
    ),
    "diffusion": (
        "Latent Diffusion for High-Resolution Image Synthesis",
        "Diffusion models generate images by denoising; running the diffusion process in the latent "
        "space of an autoencoder cuts the cost of high-resolution image synthesis while keeping "
        "sample quality. Cross-attention conditions generation on text prompts.",
        ["diffusion models", "image generation", "latent space"],
    ),
    "diffusion2": (
        "Consistency Distillation for One-Step Image Generation",
        "We distill a pretrained diffusion model into a consistency model that maps noise to images "
        "in one step, so image generation needs a single network evaluation instead of fifty "
        "denoising steps, with little loss in image quality.",
        ["diffusion distillation", "image generation", "consistency models"],
    ),
    "proteins": (
        "Protein Structure Prediction from Single Sequences",
        "Predicting a protein's three-dimensional structure from its amino acid sequence without "
        "multiple sequence alignments: a protein language model embeds the sequence and a folding "
        "trunk predicts residue coordinates.",
        ["protein folding", "structure prediction", "protein language model"],
    ),
    "graphs": (
        "Message Passing on Graphs with Long-Range Edges",
        "Graph neural networks pass messages between neighbouring nodes and struggle with long-range "
        "dependencies. Rewiring the graph with virtual edges lets messages travel further; node "
        "classification on sparse graphs improves.",
        ["graph neural networks", "message passing", "graph rewiring"],
    ),
}


def topic_paper(topic: str, **fields: object) -> Paper:
    title, abstract, keywords = TOPICS[topic]
    return PaperFactory(title=title, abstract=abstract, ai_keywords=keywords, **fields)


def held(cast: Cast | ReadingGroup, paper: Paper, *, days_ago: int = 30) -> DiscussionSession:
    """A scheduled session of the (cast's) group about `paper`, `days_ago` days ago (held once
    it has ended; negative: still to come)."""
    return DiscussionSession.objects.create(
        group=cast.group if isinstance(cast, Cast) else cast,
        paper=paper,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration=timedelta(hours=1),
    )


def listed(paper: Paper, day: date) -> Paper:
    DailyListing.objects.create(paper=paper, day=day)
    return paper


def voted(cast: Cast, paper: Paper, status: str = "archived") -> Nomination:
    nomination = Nomination.objects.create(
        group=cast.group, paper=paper, nominated_by=cast.member, status=status
    )
    Vote.objects.create(nomination=nomination, user=cast.member)
    return nomination


@dataclass
class Shelf:
    """The cast's group discussed decoding (30 days ago) and diffusion (60 days ago)."""

    cast: Cast | None  # None from `discuss` without a cast
    decoding: Paper
    diffusion: Paper
    decoding_session: DiscussionSession
    diffusion_session: DiscussionSession


def make_shelf(cast: Cast) -> Shelf:
    return discuss(cast.group, cast)


def discuss(group: ReadingGroup, cast: Cast | None = None) -> Shelf:
    """The group discusses decoding (30 days ago) and diffusion (60 days ago)."""
    decoding = topic_paper("decoding")
    diffusion = topic_paper("diffusion")
    return Shelf(
        cast=cast,
        decoding=decoding,
        diffusion=diffusion,
        decoding_session=held(group, decoding, days_ago=30),
        diffusion_session=held(group, diffusion, days_ago=60),
    )


def filler(cast: Cast, count: int, *, day: date | None = None) -> list[Paper]:
    """`count` more papers, each discussed by the group or, with `day`, listed then. Their text
    shares no word with the topics above: the factory's random sentences (and its keywords,
    "language models") sometimes did, and a filler paper then matched a topic, at random."""
    papers = [
        PaperFactory(
            title=f"Lighthouse logbook {number}",
            abstract="Keepers logged tides, storms and ships along the northern coast.",
            ai_keywords=["lighthouses", "tides"],
        )
        for number in range(count)
    ]
    for number, paper in enumerate(papers):
        if day is None:
            held(cast, paper, days_ago=100 + number)
        else:
            listed(paper, day)
    return papers


SAMPLE_DAY = datetime(2026, 6, 12, tzinfo=UTC).date()
