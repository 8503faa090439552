"""The coordinator's editor in French: its words are French, the lesson's stay as written."""

import pytest
from django.conf import settings
from django.urls import reverse

from lessons.exporter import dump
from lessons.models import Lesson
from tests.lessons.test_editor import HTMX, NEW_BENEFIT, OLD_BENEFIT, body_13, save, text_of

pytestmark = pytest.mark.django_db

# Interface words of the editor in English: none may be left on a French page.
ENGLISH = [
    "Lesson content",
    "Upload YAML",
    "New draft from",
    "Everything adds up",
    "Lesson map",
    "Lesson details",
    "Validate",
    "Publish",
    "Download YAML",
    "Discard draft",
    "Preview",
    "as the console and the projector will show it",
    "Key message",
    "Unsaved changes",
    "Add a row",
    "Remove this row",
    "Presentation minutes",
    "Groups answer with",
    "Projector, with the activity open",
    "What changed from version",
    ">changed<",
    "unchanged line",
    "Breadcrumb",
]


@pytest.fixture
def draft(cop_draft):
    return cop_draft


@pytest.fixture
def french(coordinator_client):
    """The coordinator, with French picked (the picker sets this cookie)."""
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return coordinator_client


def english_left(text: str) -> list[str]:
    return [words for words in ENGLISH if words in text]


def test_the_language_picker_on_the_editor_switches_it_to_french(coordinator_client, draft):
    url = reverse("content:slide", args=[draft.pk, 13])
    english = text_of(coordinator_client.get(url))
    assert 'action="/i18n/setlang/"' in english
    assert 'value="fr" lang="fr" aria-pressed="false">Français</button>' in english

    response = coordinator_client.post(reverse("set_language"), {"language": "fr", "next": url})
    assert response.status_code == 302 and response["Location"] == url

    french = text_of(coordinator_client.get(url))
    assert '<html lang="fr">' in french
    assert 'value="fr" lang="fr" aria-pressed="true">Français</button>' in french
    assert "Diapositive 13" in french and "Aperçu" in french


def test_every_editor_page_is_in_french_and_the_lesson_stays_english(french, draft, cop_lesson):
    save(french, draft, "slide:13:body", body_13(draft).replace(OLD_BENEFIT, NEW_BENEFIT))
    pages = {
        "index": (
            reverse("content:index"),
            ["Contenu des leçons", "Importer du YAML", "Nouveau brouillon de la v1", "Brouillon"],
        ),
        "version": (
            reverse("content:version", args=[draft.pk]),
            ["Plan de la leçon", "Détails de la leçon", "Valider", "Minutes de présentation"],
        ),
        "slide": (
            reverse("content:slide", args=[draft.pk, 13]),
            [
                "Diapositive 13",
                "Message clé",
                "Ce que montre la diapositive",
                "Aperçu",
                "Ajouter une ligne",
            ],
        ),
        "activity": (
            reverse("content:activity", args=[draft.pk, "5.2"]),
            ["Activité d'apprentissage 5.2", "Les groupes répondent par", "Un tableau", "Phases"],
        ),
        "compare": (
            reverse("content:compare", args=[draft.slug]) + "?old=1&new=2",
            ["Ce qui a changé de la version 1 à la version 2", "modifié", "Diapositive 13 ·"],
        ),
    }
    for where, (url, french_words) in pages.items():
        response = french.get(url)
        text = text_of(response)
        assert response.status_code == 200, where
        assert '<html lang="fr">' in text, where
        missing = [words for words in french_words if words not in text]
        assert missing == [], f"{where} lacks {missing}"
        assert english_left(text) == [], f"{where} still says {english_left(text)}"
    # The lesson is as written, and marked as English for screen readers.
    slide = text_of(french.get(pages["slide"][0]))
    title = draft.slides.get(number=13).title
    assert title.startswith("The Benefits of CoP")
    assert f'<h2 id="slide-title" lang="en">{title}</h2>' in slide
    assert "Community trust and <strong>legitimacy</strong>" in slide
    activity = text_of(french.get(pages["activity"][0]))
    title = cop_lesson.activities.get(code="5.2").title
    assert f'Activité d\'apprentissage 5.2 : <span lang="en">{title}</span>' in activity
    # (Row titles such as “Learning Activity 5.2: CoP vs. …” are the lesson's own words.)
    assert f"Learning Activity 5.2: {title}" not in activity
    compare = text_of(french.get(pages["compare"][0]))
    assert "<ins> and **legitimacy**</ins>" in compare


def test_a_refused_value_is_explained_in_french_and_nothing_changes(french, draft):
    before = dump(draft)
    empty = save(french, draft, "slide:13:title", "   ", **HTMX)
    number = save(french, draft, "section:4:minutes.presentation", "six", **HTMX)
    too_many = save(french, draft, "section:4:minutes.presentation", "601", **HTMX)
    row = save(
        french,
        draft,
        "activity:5.2:response_form.fields",
        extra={
            "activity:5.2:response_form.fields.key": "who",
            "activity:5.2:response_form.fields.label": "",
            "activity:5.2:response_form.fields.prompt": "Who?",
        },
        **HTMX,
    )
    assert [r.status_code for r in (empty, number, too_many, row)] == [400] * 4
    assert "est obligatoire" in text_of(empty) and "Non enregistré" in text_of(empty)
    assert "attendu : un nombre entier ; trouvé : du texte" in text_of(number)
    assert "601 est en dehors de 0–600" in text_of(too_many)
    assert "ligne 1 · label : est obligatoire" in text_of(row)
    for response in (empty, number, too_many, row):
        assert "is required" not in text_of(response) and "Not saved" not in text_of(response)
    assert dump(Lesson.objects.get(pk=draft.pk)) == before
    # What the coordinator wrote is kept in the box as typed, in the lesson's language.
    assert 'value="six"' in text_of(number)


def test_validation_problems_and_messages_are_in_french(french, draft, cop_lesson):
    save(french, draft, "section:4:minutes.presentation", "7")
    problems = text_of(french.get(reverse("content:validate", args=[draft.pk])))
    assert "1 problème à corriger" in problems and "Plan de la leçon</strong>" in problems
    assert "les lignes totalisent 47 minutes de présentation" in problems  # 5 -> 7
    assert "the rows add up to" not in problems

    made = french.post(reverse("content:new_draft", args=[cop_lesson.pk]), follow=True)
    assert "Brouillon version 3 créé à partir de la version 1" in text_of(made)
