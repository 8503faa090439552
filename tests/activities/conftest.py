import pytest

from activities.models import delivery_create


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 12", expected_class_size=23
    )
