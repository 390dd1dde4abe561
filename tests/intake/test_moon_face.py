"""A face gone round over weeks (moon face) is not acute facial swelling."""

import pytest

from esiguard.intake import intake


@pytest.mark.parametrize(
    "text",
    [
        "three weeks on my face has gone round, puffy and red",
        "I have a moon face since the injections",
        "my face is rounder than it was",
    ],
)
def test_moon_face_is_not_read_as_facial_swelling(text):
    """Cushingoid rounding of the face does not become throat_or_face_swelling."""
    codes = {f.code for f in intake(text).findings if f.present}
    assert "throat_or_face_swelling" not in codes


def test_sudden_face_swelling_is_still_read():
    """Swollen lips or face are still extracted as facial swelling."""
    codes = {f.code for f in intake("my lips and face are swollen").findings if f.present}
    assert "throat_or_face_swelling" in codes
