"""The report as CSV, Markdown and JSON for other tools."""

import csv
import io

from django.utils import timezone

from activities.report import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def answers_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["activity", "activity title", "group", "slot", "text", "created", "updated", "hidden",
         "spotlighted"]
    )  # fmt: skip
    for output in report.outputs:
        for answer in output.groups:
            for piece in answer.pieces:
                submission = piece.submission
                writer.writerow(
                    [
                        spreadsheet_safe(output.activity.code),
                        spreadsheet_safe(output.activity.title),
                        answer.group.name,
                        spreadsheet_safe(piece.label or "point"),
                        spreadsheet_safe(submission.text),
                        local(submission.created_at),
                        local(submission.updated_at),
                        "yes" if submission.hidden else "no",
                        "yes" if submission.spotlighted else "no",
                    ]
                )
    return out.getvalue()


def markdown_escape(text: str) -> str:
    """Participants' text shown literally in Markdown: no markup, links or HTML of theirs."""
    escaped = text.replace("\\", "\\\\")
    for char in "`*_{}[]<>()#+-.!|":
        escaped = escaped.replace(char, "\\" + char)
    return " ".join(escaped.split())


def report_markdown(report: Report) -> str:
    d = report.delivery
    lines = [
        f"# After-action report: {d.title}",
        "",
        f"- Lesson: {d.lesson.title}, version {d.lesson.version}",
        f"- Date: {d.date:%Y-%m-%d}{f', {d.place}' if d.place else ''}",
        f"- Instructor: {d.instructor.get_username()}",
        f"- Participants: {report.participant_count} in {report.group_count} groups",
        f"- Started: {local(d.started_at) or 'not started'}",
        f"- Ended: {local(d.ended_at) or 'not ended'}",
        "",
        "## Planned and actual minutes",
        "",
        "| Lesson-map row | Slides | Planned | Actual | Over (+) / under (−) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {row.title} | {row.slides} | {row.planned} | {row.actual:g} | "
        f"{f'{row.overrun:+g}' if row.reached else 'not reached'} |"
        for row in report.rows
    ]
    lines += [f"| **Total** | | {report.planned_total} | {report.actual_total:g} | |", ""]
    if report.phases:
        lines += ["## Activity phases", "", "| Activity | Phase | Planned | Actual |",
                  "| --- | --- | ---: | ---: |"]  # fmt: skip
        lines += [
            f"| {p.activity.code} {p.activity.title} | {p.name} | {p.planned} | {p.actual:g} |"
            for p in report.phases
        ]
        lines.append("")
    lines += ["## Timeline", ""]
    lines += [
        f"- {local(entry.entered_at)[11:]} slide {entry.slide_number}, {entry.title} "
        f"({entry.minutes:g} min)"
        for entry in report.timeline
    ]
    for output in report.outputs:
        lines += ["", f"## {output.activity.heading}", ""]
        for answer in output.groups:
            lines.append(f"### {answer.group.name}")
            lines.append("")
            if answer.is_empty:
                lines.append("No answer.")
            for piece in answer.pieces:
                label = f"**{markdown_escape(piece.label)}:** " if piece.label else ""
                marks = " *(hidden)*" if piece.submission.hidden else ""
                marks += " *(spotlighted)*" if piece.submission.spotlighted else ""
                lines.append(f"- {label}{markdown_escape(piece.submission.text)}{marks}")
            lines.append("")
        if output.coverage:
            lines.append("Key points:")
            lines.append("")
            lines += [f"- {point.status}: {point.label}" for point in output.coverage]
    return "\n".join(lines).rstrip() + "\n"


def report_json(report: Report) -> dict:
    d = report.delivery
    return {
        "delivery": {
            "title": d.title,
            "date": d.date.isoformat(),
            "place": d.place,
            "instructor": d.instructor.get_username(),
            "lesson": {"slug": d.lesson.slug, "version": d.lesson.version},
            "status": d.status,
            "started_at": d.started_at.isoformat() if d.started_at else None,
            "ended_at": d.ended_at.isoformat() if d.ended_at else None,
            "participants": report.participant_count,
            "groups": report.group_count,
        },
        "rows": [
            {"title": r.title, "slides": r.slides, "planned": r.planned, "actual": r.actual}
            for r in report.rows
        ],
        "phases": [
            {"activity": p.activity.code, "phase": p.name, "planned": p.planned, "actual": p.actual}
            for p in report.phases
        ],
        "timeline": [
            {
                "slide": e.slide_number,
                "entered_at": e.entered_at.isoformat(),
                "left_at": e.left_at.isoformat() if e.left_at else None,
            }
            for e in report.timeline
        ],
        "activities": [
            {
                "code": o.activity.code,
                "title": o.activity.title,
                "groups": [
                    {
                        "group": a.group.name,
                        "answers": [
                            {
                                "slot": p.label or "point",
                                "text": p.submission.text,
                                "hidden": p.submission.hidden,
                                "spotlighted": p.submission.spotlighted,
                            }
                            for p in a.pieces
                        ],
                    }
                    for a in o.groups
                ],
                "key_points": [{"label": c.label, "status": c.status} for c in o.coverage],
            }
            for o in report.outputs
        ],
    }
