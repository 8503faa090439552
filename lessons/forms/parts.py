"""YAML keys that more than one kind of form uses, so that they share one spec."""

from lessons.schema import PLAIN, Key, ListOf

PROMPT = Key("prompt", PLAIN)
COLUMNS = Key("columns", ListOf(PLAIN, min_items=1, max_items=10))
