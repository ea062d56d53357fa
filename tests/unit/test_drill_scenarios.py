"""Every shipped scenario, played headlessly on a real run by a scripted trainee
who meets every expectation (the full score) and by one who misses some (the
score the play file expects, with each line's verdict), with the playbook's
deadlines, the injects and the forced outcomes as the scenario says."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drill_trainee import play
from ehplan import resources
from ehplan.drill import load_scenario, score_run

ROOT = Path(__file__).resolve().parents[2]
PLAYS = ROOT / "tests/data/drill_plays"
SHIPPED = sorted(p.stem for p in resources.drills_dir().glob("*.yaml"))


def test_at_least_ten_scenarios_ship_and_each_has_its_plays():
    assert len(SHIPPED) >= 10
    assert sorted(p.stem for p in PLAYS.glob("*.yaml")) == SHIPPED


@pytest.mark.parametrize("who", ["full", "partial"])
@pytest.mark.parametrize("name", SHIPPED)
def test_a_scripted_trainee_gets_the_expected_score(name, who, shipped_library, tmp_path):
    scenario = load_scenario(resources.drills_dir() / f"{name}.yaml", shipped_library)
    spec = yaml.safe_load((PLAYS / f"{name}.yaml").read_text(encoding="utf-8"))[who]
    played = play(scenario, shipped_library, tmp_path, spec["play"])
    score = score_run(played.session.records, scenario, shipped_library, "en")
    got = {line.key: line.verdict for line in score.lines}
    assert {k: v for k, v in got.items() if k.startswith("deadline:")} == \
        {f"deadline:{k}": v for k, v in spec.get("deadlines", {}).items()}
    assert {f"expect:{k}": v for k, v in spec.get("verdicts", {}).items()}.items() <= got.items()
    assert [i["inject"] for i in played.session.state.injects] == spec["injects"]
    for text in spec.get("said", []):
        assert text in played.said
    assert [score.points, score.possible] == spec["score"]
    if who == "full":
        assert score.points == score.possible
        assert all(line.verdict == "met" for line in score.lines if line.possible)
    else:
        assert score.points < score.possible
