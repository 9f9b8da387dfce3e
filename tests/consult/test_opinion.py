"""Opinion groups: planted groups in synthetic vote matrices are found; Pol.is's own groups on a real export."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from migrahub.cli import main
from migrahub.consult import opinion, polis_csv
from migrahub.model import Rejection
from migrahub.services.consult import polis as service

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

SHARED_POLIS = Path(__file__).resolve().parents[3] / "shared" / "polis"


def planted(n_groups: int, per_group: int = 40, n_statements: int = 30, seen: float = 0.7, noise: float = 0.1,
            seed: int = 1, consensus: int = 3) -> tuple[list[opinion.Vote], dict[str, int]]:
    """Groups with their own opinion profile; the first ``consensus`` statements are agreed by everyone."""
    rng = random.Random(seed)
    if n_groups == 4:  # four opinion camps on two independent issues (two principal components hold them)
        half = n_statements // 2
        profiles = [[a] * half + [b] * (n_statements - half) for a in (1, -1) for b in (1, -1)]
        profiles = [[p * (1 if s % 2 else -1) if s >= consensus else p for s, p in enumerate(prof)]
                    for prof in profiles]
    else:
        profiles = [[rng.choice((1, -1)) for _ in range(n_statements)] for _ in range(n_groups)]
    for profile in profiles:
        profile[:consensus] = [1] * consensus
    votes, truth = [], {}
    for g, profile in enumerate(profiles):
        for i in range(per_group):
            person = f"p{g}-{i}"
            truth[person] = g
            for s in range(n_statements):
                if rng.random() < seen:
                    value = profile[s] if rng.random() > noise else rng.choice((0, -profile[s]))
                    votes.append(opinion.Vote(person, f"s{s}", value))
    return votes, truth


@pytest.mark.parametrize("n_groups", [2, 3, 4])
def test_planted_groups_are_found(n_groups):
    votes, truth = planted(n_groups, seed=n_groups)
    result = opinion.opinion_groups(votes)
    assert not isinstance(result, Rejection)
    assert result.n_groups == n_groups
    people = sorted(truth)
    assert adjusted_rand_score([truth[p] for p in people], [result.groups[p] for p in people]) > 0.95
    assert {"s0", "s1", "s2"} <= set(result.consensus)
    for group, reps in result.representative.items():
        assert reps, f"group {group} has no representative statement"


def test_participants_count_after_seven_votes():
    votes, truth = planted(2, per_group=30, n_statements=20, seen=1.0)
    votes += [opinion.Vote("late", f"s{s}", 1) for s in range(6)]
    result = opinion.opinion_groups(votes)
    assert result.groups["late"] is None
    assert all(result.groups[p] is not None for p in truth)


def test_too_few_voters_is_a_rejection():
    result = opinion.opinion_groups([opinion.Vote("a", "s1", 1), opinion.Vote("b", "s1", -1)])
    assert isinstance(result, Rejection) and "participants" in result.reason


def test_pol_is_csv_roundtrip_and_latest_vote_wins(tmp_path):
    votes, _ = planted(2, per_group=20, n_statements=12)
    comments = [polis_csv.Comment(f"s{s}", "0", f"Statement {s}", 1) for s in range(12)]
    (tmp_path / "comments.csv").write_text(polis_csv.write_comments(comments, votes))
    changed = "timestamp,datetime,comment-id,voter-id,vote\n"
    changed += "1,,s0,p0-0,-1\n2,,s0,p0-0,1\n"
    read_back = polis_csv.read_votes(polis_csv.write_votes(votes) + changed.split("\n", 1)[1])
    assert [v.value for v in read_back if (v.participant, v.statement) == ("p0-0", "s0")] == [1]
    assert polis_csv.read_comments((tmp_path / "comments.csv").read_text())[3].text == "Statement 3"
    result = opinion.opinion_groups(votes)
    participants = polis_csv.write_participants(votes, [c.id for c in comments], result)
    assert polis_csv.read_participant_groups(participants) == result.groups


def test_moderated_out_comments_take_no_part():
    comments = [polis_csv.Comment("1", "0", "kept", 1), polis_csv.Comment("2", "0", "out", -1)]
    assert polis_csv.active_statements(comments, []) == ["1"]


@pytest.mark.parametrize("text, message", [
    ("comment-id,voter-id\n1,2\n", "missing column(s) vote"),
    ("timestamp,comment-id,voter-id,vote\n1,1,2,agree\n", "row 2, field vote"),
    ("timestamp,comment-id,voter-id,vote\n1,1,2,5\n", "row 2, field vote: 5 is not -1, 0 or 1"),
])
def test_malformed_votes_name_row_and_field(text, message):
    with pytest.raises(polis_csv.PolisFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        polis_csv.read_votes(text)


def test_cli_polis_groups_on_a_written_folder(tmp_path):
    votes, truth = planted(3, per_group=25, seed=7)
    (tmp_path / "votes.csv").write_text(polis_csv.write_votes(votes))
    out = CliRunner().invoke(main, ["consult", "polis-groups", str(tmp_path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) >= {"groups", "consensus", "representative"}
    assert len({g for g in data["groups"].values() if g is not None}) == 3
    bad = CliRunner().invoke(main, ["consult", "polis-groups", str(tmp_path / "nowhere"), "--json"])
    assert bad.exit_code == 2 and "not a folder" in bad.output


@pytest.mark.shared
def test_real_pol_is_export_matches_pol_is_groups():
    folder = SHARED_POLIS / "brexit-consensus"
    if not (folder / "votes.csv").is_file():
        pytest.skip(f"needs the Pol.is export in ../shared/polis (looked at {folder})")
    score = service.score_folder(folder)
    assert score["groups_ours"] == score["groups_reference"]
    assert score["ari"] >= 0.7
