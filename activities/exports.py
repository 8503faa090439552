"""The report as CSV, Markdown and JSON for other tools."""

import csv
import io

from django.utils import timezone

from activities.report import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel opens a CSV without a byte-order mark in the machine's legacy code page: "Sécurité" would
# read "SÃ©curitÃ©". The mark makes it read UTF-8; other tools skip it.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def answers_csv(report: Report) -> str:
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
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


def objectives_csv(report: Report) -> str:
    """One row per objective: its verdict, the figures behind it and the rule that decides."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out)
    writer.writerow(
        ["objective", "text", "verdict", "key points found", "key points", "reinforced",
         "planned minutes", "actual minutes", "activities run", "evidence",
         "confirmed by the instructor", "rule"]
    )  # fmt: skip
    for o in report.objectives:
        writer.writerow(
            [
                o.code,
                spreadsheet_safe(o.text),
                o.verdict.value,
                o.points_found,
                o.points_total,
                o.points_reinforced,
                o.planned_minutes,
                f"{o.actual_minutes:g}",
                spreadsheet_safe("; ".join(o.activities_run)),
                spreadsheet_safe(" | ".join(f"{q.group}: {q.text}" for q in o.quotes)),
                spreadsheet_safe(" | ".join(o.confirmed)),
                report.verdict_rule,
            ]
        )
    return out.getvalue()


def objectives_markdown(report: Report) -> list[str]:
    lines = ["## Learning objectives", "", f"*{report.verdict_rule}*", ""]
    for o in report.objectives:
        lines += [
            f"### {o.text} (`{o.code}`): {o.verdict_label}",
            "",
            f"- Activities: {', '.join(o.activities) or 'none'}; run: "
            f"{', '.join(o.activities_run) or 'none'}",
            f"- Key points found: {o.points_found} of {o.points_total} ({o.share} %); "
            f"reinforced by the instructor: {o.points_reinforced}",
            f"- Minutes: planned {o.planned_minutes}, actual {o.actual_minutes:g}",
        ]
        if o.quotes:
            lines += ["- Evidence:"]
            lines += [
                f"  - {q.group}: “{markdown_escape(q.text)}” ({markdown_escape(q.point)})"
                for q in o.quotes
            ]
        if o.confirmed:
            lines += ["- Confirmed by the instructor, no answer quoted:"]
            lines += [f"  - {markdown_escape(point)}" for point in o.confirmed]
        lines.append("")
    return lines


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
    lines += objectives_markdown(report)
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
        "objectives": {
            "rule": report.verdict_rule,
            "items": [
                {
                    "id": o.code,
                    "text": o.text,
                    "verdict": o.verdict.value,
                    "activities": o.activities,
                    "activities_run": o.activities_run,
                    "key_points_found": o.points_found,
                    "key_points": o.points_total,
                    "key_points_reinforced": o.points_reinforced,
                    "planned_minutes": o.planned_minutes,
                    "actual_minutes": o.actual_minutes,
                    "evidence": [
                        {"group": q.group, "text": q.text, "key_point": q.point} for q in o.quotes
                    ],
                    "confirmed_by_instructor": o.confirmed,
                }
                for o in report.objectives
            ],
        },
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
