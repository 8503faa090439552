"""The debrief's matching, measured on paraphrases groups give (tests/activities/paraphrases.yaml):
how many of its suggestions are right (precision) and how many right answers it finds (recall)."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from activities.matching import SUGGEST_AT, prepare, score, words

PARAPHRASES = Path(__file__).with_name("paraphrases.yaml")


def cop_key_points() -> dict[str, list[tuple[str, list[str]]]]:
    points = {}
    for path in sorted((settings.BASE_DIR / "content" / "cop" / "sections").glob("*.yaml")):
        for activity in yaml.safe_load(path.read_text()).get("activities") or []:
            points[activity["code"]] = [
                (point["text"], point.get("keywords", []))
                for point in activity.get("key_points", [])
            ]
    return points


def cases() -> list[tuple[str, str, str, bool]]:
    """(language, key point text, answer, whether the answer makes the point), with the point
    prepared among its activity's points."""
    cop = cop_key_points()
    found = []
    for block in yaml.safe_load(PARAPHRASES.read_text()):
        points = (
            cop[block["activity"]] if "activity" in block else [(t, []) for t in block["points"]]
        )
        prepared = prepare(points)
        for kind, makes in (("makes", True), ("misses", False)):
            for number, answers in block[kind].items():
                found.extend(
                    (block["language"], prepared[number - 1], answer, makes) for answer in answers
                )
    return found


def test_the_set_has_enough_paraphrases_in_both_languages_and_negatives():
    found = cases()
    for language in ("en", "fr"):
        mine = [case for case in found if case[0] == language]
        assert sum(makes for *_, makes in mine) >= 15
        assert sum(not makes for *_, makes in mine) >= 10


@pytest.mark.parametrize("language", ["en", "fr", None])
def test_suggestions_are_right_and_find_most_paraphrases(language):
    true_pos = false_pos = false_neg = 0
    wrong = []
    for case_language, point, answer, makes in cases():
        if language and case_language != language:
            continue
        suggested = score(answer, point) >= SUGGEST_AT
        true_pos += suggested and makes
        false_pos += suggested and not makes
        false_neg += makes and not suggested
        if suggested != makes:
            wrong.append((score(answer, point), makes, answer))
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(
        f"\n{language or 'all'}: precision {precision:.2f}, recall {recall:.2f} "
        f"({true_pos} found, {false_pos} wrongly suggested, {false_neg} missed)"
    )
    assert precision >= 0.9, wrong
    assert recall >= 0.7, wrong


def test_the_issue_s_paraphrase_makes_the_first_point_of_5_1_and_not_the_second():
    first, second = prepare(cop_key_points()["5.1"])
    answer = "Police get better information about crime and more respect"
    assert score(answer, first) >= SUGGEST_AT
    assert score(answer, second) < SUGGEST_AT


def test_words_are_folded_stemmed_and_stripped_of_stop_words_in_both_languages():
    assert words("Les **informations** sur la Sécurité") == words("information securite")
    assert words("The police get better informations") == ["polic", "bett", "inform"]


def test_a_point_s_own_matching_words_match_a_short_answer():
    [point] = prepare([("Assignment of beat police officers", ["îlotier", "beat officer"])])
    assert score("des îlotiers", point) >= SUGGEST_AT
    assert score("more cars", point) < SUGGEST_AT
