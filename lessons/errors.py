"""Problems found in lesson content, each naming the file, the line and the field."""

from dataclasses import dataclass

from django.utils.formats import get_format


@dataclass(frozen=True, order=True)
class LessonProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class LessonInvalid(Exception):
    """Raised with every problem found; nothing has been written when it is raised."""

    def __init__(self, problems: list[LessonProblem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def grouped(number: int) -> str:
    """`5,242,880` in English, `5 242 880` in French: a size in a problem's message."""
    return f"{number:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
