"""Fixtures of the fault tests: a prepared database per session, a served app per test."""

import pytest

from tests.faults.served import Prepared, ServedApp, pg_execute, postgres_url, prepare


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Prepared:
    facts = prepare(tmp_path_factory.mktemp("faults-template"))
    yield facts
    if facts.pg_template:
        pg_execute(postgres_url(), f'DROP DATABASE IF EXISTS "{facts.pg_template}" WITH (FORCE)')


@pytest.fixture
def served_app(prepared, tmp_path) -> ServedApp:
    app = ServedApp(prepared, tmp_path)
    try:
        yield app
    finally:
        app.close()
