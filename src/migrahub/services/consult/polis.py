"""Opinion groups of a Pol.is export folder (``comments.csv``, ``votes.csv``), and their agreement with the groups
Pol.is itself found (``participants-votes.csv`` column ``group-id``)."""

from __future__ import annotations

from pathlib import Path

from migrahub.consult import opinion, polis_csv
from migrahub.model import Rejection

MAX_FILE_BYTES = 512 * 1024**2


class PolisError(ValueError):
    """The folder cannot be read as a Pol.is export; the message names the file and the reason."""


def _read(path: Path) -> str:
    if not path.is_file():
        raise PolisError(f"{path}: no such file (a Pol.is export folder holds comments.csv and votes.csv)")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PolisError(f"{path}: larger than {MAX_FILE_BYTES // 1024**2} MiB")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolisError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def load_folder(folder: str | Path) -> tuple[list[polis_csv.Comment], list[opinion.Vote]]:
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisError(f"{folder}: not a folder")
    comments_path = folder / "comments.csv"
    try:
        comments = polis_csv.read_comments(_read(comments_path), str(comments_path)) if comments_path.exists() else []
        votes = polis_csv.read_votes(_read(folder / "votes.csv"), str(folder / "votes.csv"))
    except polis_csv.PolisFormatError as exc:
        raise PolisError(str(exc)) from None
    return comments, votes


def groups_of(comments: list[polis_csv.Comment], votes: list[opinion.Vote]) -> opinion.OpinionGroups:
    result = opinion.opinion_groups(votes, polis_csv.active_statements(comments, votes))
    if isinstance(result, Rejection):
        raise PolisError(result.reason)
    return result


def as_json(result: opinion.OpinionGroups) -> dict:
    """The evaluation shape: groups per participant, consensus and representative comment ids."""
    return {
        "groups": dict(result.groups),
        "consensus": list(result.consensus),
        "representative": {str(g): [s for s, _ in reps] for g, reps in result.representative.items()},
        "representative_kind": {str(g): [k for _, k in reps] for g, reps in result.representative.items()},
        "divisive": list(result.divisive),
        "n_groups": result.n_groups,
        "silhouette": result.silhouette,
        "stage": result.stage,
    }


def polis_groups(folder: str | Path) -> dict:
    """Opinion groups of a Pol.is export folder, as JSON-ready data."""
    return as_json(groups_of(*load_folder(folder)))


def adjusted_rand(ours: dict[str, int | None], theirs: dict[str, int | None]) -> dict:
    """Adjusted Rand index of two groupings over the participants the reference grouped (ours ungrouped = its own
    label), and over those both grouped."""
    from sklearn.metrics import adjusted_rand_score

    ref = [p for p, g in theirs.items() if g is not None]
    both = [p for p in ref if ours.get(p) is not None]
    return {
        "ari": float(adjusted_rand_score([theirs[p] for p in ref], [_label(ours.get(p)) for p in ref])),
        "ari_both_grouped": float(adjusted_rand_score([theirs[p] for p in both], [ours[p] for p in both])),
        "participants_reference": len(ref),
        "participants_both": len(both),
        "groups_reference": len({theirs[p] for p in ref}),
        "groups_ours": len({g for g in ours.values() if g is not None}),
    }


def _label(group: int | None) -> int:
    return -1 if group is None else group


def score_folder(folder: str | Path) -> dict:
    """Our groups against Pol.is's own ``group-id`` in the folder's ``participants-votes.csv``."""
    folder = Path(folder)
    ours = polis_groups(folder)
    path = folder / "participants-votes.csv"
    try:
        theirs = polis_csv.read_participant_groups(_read(path), str(path))
    except polis_csv.PolisFormatError as exc:
        raise PolisError(str(exc)) from None
    return adjusted_rand(ours["groups"], theirs)


def import_into(conn, key: str | int, folder: str | Path, actor: str) -> dict:
    """A Pol.is export into a consultation: its comments become the statements of a new "statements" question (those
    moderated out stay out of the math), each voter an anonymous published submission with their latest votes."""
    import secrets

    from migrahub.services.consult.consultations import add_question, get
    from migrahub.store import consult as store

    comments, votes = load_folder(folder)
    if not comments:
        raise PolisError(f"{folder}: comments.csv is needed to import the statements")
    c = get(conn, key)
    c = add_question(conn, c.id, "statements", f"Statements imported from Pol.is ({Path(folder).name})",
                     statements="\n".join(x.text.replace("\n", " ") or f"comment {x.id}" for x in comments))
    question = c.questions[-1]
    ids = {comment.id: sid for comment, (sid, _) in zip(comments, question.statements, strict=True)}
    moderated_out = [ids[x.id] for x in comments if x.moderated == -1]
    store.moderate_statements(conn, moderated_out, -1)
    by_person: dict[str, list] = {}
    for v in votes:
        if v.statement in ids:
            by_person.setdefault(v.participant, []).append((ids[v.statement], v.value))
    person = {"submitter_type": "anonymous", "consent": 1, "source": f"import:polis:{Path(folder).name}"[:200],
              "account": actor}
    for participant, cast in by_person.items():
        receipt = secrets.token_urlsafe(12)
        store.save_submission(conn, c.id, receipt, "published", person, [],
                              [(sid, f"polis-{participant}", value) for sid, value in cast])
    return {"consultation": c.slug, "question": question.id, "statements": len(ids), "participants": len(by_person),
            "votes": sum(len(v) for v in by_person.values())}
