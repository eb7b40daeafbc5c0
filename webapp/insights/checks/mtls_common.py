"""What the mTLS checks share: one mismatch kind of webapp/security/mismatches.py → Drafts.

Not a check (it has no CHECK, so discovery passes it by). The security app already finds
where policy and observed traffic disagree, with evidence and a remedy to paste; a check per
kind turns `context.mtls_mismatches` of its kind into findings, so alerts, the insights list
and the mTLS view all tell the same story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject
from webapp.security.mismatches import Mismatch
from webapp.traffic.convert import bounded

SUBJECT_IDS_MAX = 50  # subject ids carried into evidence, at most


def node_subject(node_id: str) -> Subject:
    """A graph node id (`workload:ns/name`, `service:ns/name`, `unknown`) as a subject."""
    kind, _, rest = node_id.partition(":")
    if kind in ("workload", "service") and "/" in rest:
        namespace, name = rest.split("/", 1)
        return Subject(kind, bounded(node_id), bounded(namespace), bounded(name))
    return Subject("cluster", "cluster", "", "cluster")


def namespace_subject(namespace: str) -> Subject:
    """A namespace as a subject."""
    ns = bounded(namespace)
    return Subject("namespace", f"namespace:{ns}", ns, ns)


# How a kind's subject ids name its subject: "edge" (client, server), "first" (the workload
# concerned, then its peers), "single" (one workload, else the namespace).
SUBJECT_SHAPES = ("edge", "first", "single")


def subject_of(m: Mismatch, shape: str = "single") -> Subject:
    """The mismatch's subject: the edge between its two ids, its first id, its one workload,
    or its namespace when it names several workloads or none."""
    ids = m.subject_ids
    if shape == "first" and ids:
        return node_subject(ids[0])
    if shape == "edge" and len(ids) == 2:
        src, dst = node_subject(ids[0]), node_subject(ids[1])
        return Subject("edge", f"edge:{src.id}>{dst.id}", dst.namespace or bounded(m.namespace),
                       f"{src.namespace}/{src.name} → {dst.namespace}/{dst.name}")  # fmt: skip
    if len(ids) == 1 and shape != "edge":
        return node_subject(ids[0])
    return namespace_subject(m.namespace)


def drafts(
    check_id: str, kind: str, title: Callable[[Mismatch, Subject], str], context: InsightContext,
    shape: str = "single",
) -> Iterator[Draft]:  # fmt: skip
    """Every mismatch of `kind` as a draft: severity, evidence and remedy carried over."""
    for m in context.mtls_mismatches:
        if m.kind != kind:
            continue
        subject = subject_of(m, shape)
        yield Draft(
            check=check_id,
            severity=m.severity,
            subject=subject,
            title=title(m, subject),
            message=m.remedy,
            evidence={
                **m.evidence,
                "mismatch_id": m.id,
                "subject_ids": list(m.subject_ids[:SUBJECT_IDS_MAX]),
            },
            remedy=Remedy(m.remedy, m.remedy_yaml, "yaml") if m.remedy_yaml else None,
            key=m.id,
        )


def check(
    check_id: str, kind: str, heading: str, book_row: str,
    title: Callable[[Mismatch, Subject], str], shape: str = "single",
) -> Check:  # fmt: skip
    """The Check for one mismatch kind; `shape` says how its subject ids name the subject."""
    if shape not in SUBJECT_SHAPES:
        raise ValueError(f"subject shape must be one of {SUBJECT_SHAPES}")
    return Check(
        id=check_id,
        title=heading,
        book_row=book_row,
        run=lambda context: drafts(check_id, kind, title, context, shape),
        description=f"webapp/security's `{kind}` mismatches between mTLS policy and observed "
        "traffic, one finding each, with the mismatch's evidence and remedy.",
    )
