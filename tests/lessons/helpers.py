from pathlib import Path

from lessons.document import read_folder

MINI = Path(__file__).parent / "mini"


def mini_files() -> dict[str, bytes]:
    return read_folder(MINI)


def edited(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    """A copy of `files` with one exact text replaced in `name` (which must contain it)."""
    text = files[name].decode()
    assert old in text, f"{old!r} not in {name}"
    return {**files, name: text.replace(old, new, 1).encode()}
