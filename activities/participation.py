"""Participants: joining by code, forming groups, and building a group's answer piece by piece.

Every change to a group's answer bumps the group's revision (what its members' phones poll) and
the delivery's answers revision (what the wall polls), in the same transaction.
"""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.debrief import answer_matches, matches_store
from activities.fast_path.caches import kept_for_revision
from activities.models import (
    ActivityRun,
    Delivery,
    Group,
    GroupingMode,
    KeyPointMatch,
    Participant,
    Submission,
    normalise_join_code,
)

# One answer box; the phone counts against the same figure (participants/_piece.html).
MAX_ANSWER_LENGTH = 1000
# What one group can write into one activity: enough for any real activity (a list of 5.1's
# points runs to about 15), and a bound on what every console render and debrief must read.
MAX_POINTS_PER_GROUP = 40
MAX_GROUP_CHARACTERS = 20_000
MAX_NAME_LENGTH = 40
GROUP_SIZE_MAX = 5


class JoinError(ValueError):
    """Why a participant cannot join; the message is shown as it is."""


class AnswerError(ValueError):
    """Why an answer was refused; `status` is the HTTP status that says so."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        if status:
            self.status = status


@dataclass
class AnswerConflict(AnswerError):
    """Someone in the group saved this piece since the phone last saw it."""

    message: str
    current_text: str
    current_version: int
    status = 409

    def __str__(self) -> str:
        return self.message


def delivery_for_code(code: str) -> Delivery:
    normalised = normalise_join_code(code)
    if not normalised:
        raise JoinError(_("Type the code shown on the projector."))
    delivery = Delivery.objects.with_code(normalised).select_related("lesson").first()
    if delivery is None:
        raise JoinError(
            _("No class uses the code %(code)s. Check the code on the projector and try again.")
            % {"code": normalised}
        )
    if delivery.status == Delivery.Status.ENDED:
        raise JoinError(_("This class has ended; answers can no longer be sent."))
    if delivery.is_rehearsal:
        raise JoinError(_("This is a rehearsal: participants cannot join it."))
    return delivery


# Characters that change how the text around them is shown: a name holding one could reorder
# or hide the names next to it on the wall.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc" and not character.isspace()


def clean_display_name(name: str) -> str:
    if any(is_control(ch) or ch in BIDI_CONTROLS for ch in name):
        raise JoinError(
            _(
                "A name cannot hold control characters or characters that change the direction "
                "of the text. Type it again with letters, digits and spaces."
            )
        )
    typed = " ".join(name.split())
    name = " ".join(printable(typed).split())
    if typed and not name:
        raise JoinError(_("This name shows nothing: type it with letters or digits."))
    if not name:
        raise JoinError(_("Type the name your group will see."))
    if len(name) > MAX_NAME_LENGTH:
        raise JoinError(
            _("A name can be at most %(limit)s characters.") % {"limit": MAX_NAME_LENGTH}
        )
    return name


def ensure_groups(delivery: Delivery) -> list[Group]:
    existing = delivery.groups.count()
    for number in range(existing + 1, delivery.suggested_group_count + 1):
        Group.objects.get_or_create(delivery=delivery, number=number)
    return list(delivery.groups.all())


def groups_with_sizes(delivery: Delivery):
    return delivery.groups.annotate(
        size=Count("members", filter=Q(members__removed=False))
    ).order_by("number")


def balanced_group(delivery: Delivery) -> Group:
    """The smallest group; a new one when every group already has five."""
    ensure_groups(delivery)
    smallest = groups_with_sizes(delivery).order_by("size", "number").first()
    if smallest.size < GROUP_SIZE_MAX:
        return smallest
    number = (delivery.groups.aggregate(Max("number"))["number__max"] or 0) + 1
    return Group.objects.create(delivery=delivery, number=number)


def participant_join(
    *, delivery: Delivery, display_name: str, group_number: int | None = None
) -> Participant:
    name = clean_display_name(display_name)
    with transaction.atomic():
        Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.grouping_mode == GroupingMode.AUTO:
            group = balanced_group(delivery)
        elif delivery.grouping_mode == GroupingMode.PICK:
            ensure_groups(delivery)
            group = delivery.groups.filter(number=group_number).first()
            if group is None:
                raise JoinError(_("Pick one of the groups."))
        else:
            group = None
        participant = Participant.objects.create(
            delivery=delivery, group=group, display_name=name, token=secrets.token_urlsafe(32)
        )
        bump_answers(delivery, group)
    return participant


def participant_move(*, participant: Participant, group: Group | None) -> None:
    with transaction.atomic():
        old = participant.group
        participant.group = group
        participant.save(update_fields=["group"])
        bump_answers(participant.delivery, old)
        bump_answers(participant.delivery, group)


def participant_remove(*, participant: Participant) -> None:
    with transaction.atomic():
        participant.removed = True
        participant.save(update_fields=["removed"])
        bump_answers(participant.delivery, participant.group)


def bump_answers(delivery: Delivery, group: Group | None) -> None:
    # The group's row before the delivery's, as in answer_save: one order, no deadlock.
    if group is not None:
        Group.objects.filter(pk=group.pk).update(revision=F("revision") + 1)
    Delivery.objects.filter(pk=delivery.pk).update(answers_revision=F("answers_revision") + 1)


# Answers.


def lock_group(participant: Participant) -> None:
    """Make the participant's group's members change its answer one at a time (versions,
    positions), and read the group's revision as it is: the answer's response shows the stage
    at the revision its change makes. On PostgreSQL the group's row is locked; on SQLite the
    write transaction already has the whole database."""
    rows = Group.objects.filter(pk=participant.group_id)
    if connection.features.has_select_for_update:
        rows = rows.select_for_update()
    participant.group.revision = rows.values_list("revision", flat=True).get()


def bump_own_answers(participant: Participant) -> None:
    """After `lock_group`: the group's answer changed."""
    bump_answers(participant.delivery, participant.group)
    participant.group.revision += 1


def open_run(delivery: Delivery) -> ActivityRun | None:
    """The delivery's open activity run, with its activity: asked by every answer."""
    if delivery.open_run_id is None:
        return None
    return kept_for_revision(
        delivery,
        "open-run",
        lambda: ActivityRun.objects.select_related("activity").get(pk=delivery.open_run_id),
    )


def run_for_answers(participant: Participant, run_id: int | None = None) -> ActivityRun:
    """The open activity, which must be the one the answer was typed for when that is known."""
    run = open_run(participant.delivery)
    if run is None or (run_id is not None and run.pk != run_id):
        raise AnswerError(
            _("The activity is closed: answers are frozen. Your text stays on this page."),
            status=423,
        )
    if participant.group_id is None:
        raise AnswerError(_("You are not in a group yet; wait for the instructor."), status=409)
    return run


def check_key(run: ActivityRun, key: str) -> None:
    if not run.activity.form_kind.accepts(key):
        raise AnswerError(_("This answer does not belong to the activity's form."), status=404)


def printable(text: str) -> str:
    """`text` without the characters that show nothing (controls, zero-width, format marks)."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


def clean_text(text: str) -> str:
    text = printable(text.replace("\r\n", "\n").strip())
    if not text:
        raise AnswerError(_("Write something before sending."))
    if len(text) > MAX_ANSWER_LENGTH:
        raise AnswerError(
            _(
                "Your answer is %(length)s characters long; the limit is %(limit)s. "
                "Shorten it and send it again."
            )
            % {"length": f"{len(text):,}", "limit": f"{MAX_ANSWER_LENGTH:,}"}
        )
    return text


def answer_scores(participant: Participant, text: str) -> list[KeyPointMatch] | None:
    """The debrief's scores of an answer about to be saved, for `answer_save`: computed before
    the write transaction, as matching is the slow part of an answer. None if it is refused."""
    try:
        return answer_matches(
            run_for_answers(participant), clean_text(text), delivery=participant.delivery
        )
    except AnswerError:
        return None


def group_caps_refusal(pieces: dict[str, Submission], key: str, text: str) -> str:
    """Why a piece would take the group past its points or characters for the activity, if so.
    `pieces` are the group's stored pieces by key."""
    if key not in pieces and len(pieces) >= MAX_POINTS_PER_GROUP:
        return _(
            "Your group already has %(limit)s points, the most one activity takes. "
            "Edit or remove a point instead of adding one."
        ) % {"limit": MAX_POINTS_PER_GROUP}
    others = sum(len(piece.text) for other, piece in pieces.items() if other != key)
    if others + len(text) > MAX_GROUP_CHARACTERS:
        return _(
            "Your group's answers to this activity would be %(length)s characters long; "
            "the limit is %(limit)s. Shorten this answer or another one."
        ) % {"length": f"{others + len(text):,}", "limit": f"{MAX_GROUP_CHARACTERS:,}"}
    return ""


def answer_save(
    *,
    participant: Participant,
    key: str,
    text: str,
    base_version: int | None = None,
    run_id: int | None = None,
    scores: list[KeyPointMatch] | None = None,
    now: datetime | None = None,
) -> Submission:
    """Store one piece of the group's answer.

    A resend of what is already stored is acknowledged as it is (one stored answer however many
    retries). A save based on an older version than the stored one is refused with the stored
    text, so nobody's words are overwritten unseen. `scores` come from `answer_scores`, called
    before the caller's transaction; without them the answer is scored here.
    """
    now = now or timezone.now()
    text = clean_text(text)
    run = run_for_answers(participant, run_id)
    check_key(run, key)
    if scores is None or any(match.run_id != run.pk for match in scores):
        scores = answer_matches(run, text, delivery=participant.delivery)
    # Nothing is written until it is known that something changes, so nothing has to be undone
    # and the block needs no savepoint of its own inside the answer view's transaction. On
    # SQLite that transaction holds the database's one write lock, and every statement in it is
    # a moment a busy process may keep everyone else waiting: few statements.
    with transaction.atomic(savepoint=False):
        lock_group(participant)
        # One read of the group's pieces (at most MAX_POINTS_PER_GROUP rows) answers the caps,
        # the positions and the current version alike.
        pieces = {
            piece.key: piece
            for piece in Submission.objects.filter(run=run, group=participant.group_id)
        }
        positions = {piece_key: piece.position for piece_key, piece in pieces.items()}
        current = pieces.get(key)
        if current is not None and current.text == text:
            return current  # a resend of what is stored: nothing changes
        refusal = group_caps_refusal(pieces, key, text)
        conflict = current if current is not None and base_version != current.version else None
        if not (refusal or conflict):
            submission = piece_store(participant, run, key, text, current, positions, now)
            matches_store(submission, scores, replace=current is not None)
    # Raised outside the block, which has no savepoint of its own to roll back to.
    if refusal:
        raise AnswerError(refusal)
    if conflict is not None:
        raise AnswerConflict(
            _(
                "Someone in your group changed this while you were typing. "
                "Both texts are shown: keep yours or theirs."
            ),
            current_text=conflict.text,
            current_version=conflict.version,
        )
    return submission


def piece_store(
    participant: Participant,
    run: ActivityRun,
    key: str,
    text: str,
    current: Submission | None,
    positions: dict[str, int],
    now: datetime,
) -> Submission:
    """Write a new piece, or a new version of `current`, and tell the group's phones and the
    instructor's screens."""
    if current is None:
        submission = Submission.objects.create(
            run=run,
            group_id=participant.group_id,
            author=participant,
            key=key,
            position=max(positions.values(), default=0) + 1,
            text=text,
            created_at=now,
            updated_at=now,
        )
    else:
        current.text = text
        current.author = participant
        current.version += 1
        current.updated_at = now
        current.save(update_fields=["text", "author", "version", "updated_at"])
        submission = current
    bump_own_answers(participant)
    return submission


def own_submission(participant: Participant, key: str) -> Submission:
    run = run_for_answers(participant)
    submission = Submission.objects.filter(run=run, group_id=participant.group_id, key=key).first()
    if submission is None:
        raise AnswerError(_("That answer is not in your group's answers."), status=404)
    return submission


def answer_delete(*, participant: Participant, key: str) -> None:
    with transaction.atomic():
        submission = own_submission(participant, key)
        lock_group(participant)
        submission.delete()
        bump_own_answers(participant)


def answer_move(*, participant: Participant, key: str, step: int) -> None:
    """Swap a list point with its neighbour above (-1) or below (+1)."""
    with transaction.atomic():
        submission = own_submission(participant, key)
        lock_group(participant)
        siblings = list(
            Submission.objects.filter(run=submission.run, group=submission.group).order_by(
                "position", "id"
            )
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == submission.pk)
        other_index = index + step
        if not 0 <= other_index < len(siblings):
            return
        siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position:
                Submission.objects.filter(pk=sibling.pk).update(position=position)
        bump_own_answers(participant)


def submission_mark(*, delivery: Delivery, submission_id: int, mark: str) -> Submission:
    """The instructor hides an answer from the wall, or spotlights it (one at a time)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(
            pk=submission_id, run__delivery=delivery
        )
        if mark == "hide":
            submission.hidden = not submission.hidden
        elif mark == "spotlight":
            Submission.objects.filter(run=submission.run, spotlighted=True).exclude(
                pk=submission.pk
            ).update(spotlighted=False)
            submission.spotlighted = not submission.spotlighted
        submission.save(update_fields=["hidden", "spotlighted"])
        bump_answers(delivery, None)
    return submission


def join_path(code: str) -> str:
    """Where a participant joins a delivery by its code: the address on the projector and the QR."""
    return reverse("participants:join", args=[code])
