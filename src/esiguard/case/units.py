"""Unit conversion for measured findings; refuses units and values it cannot trust.

A value that is impossible for its unit (for example 98.6 labelled Celsius) is an error,
not a guess: the caller must correct the unit.
"""

from __future__ import annotations

# Plausible ranges keep a mislabelled unit from being silently accepted; they are wide
# enough for any survivable reading.
_TEMPERATURE_C = (25.0, 45.0)
_GLUCOSE_MG_DL = (10.0, 2000.0)
_MG_DL_PER_MMOL_L = 18.016  # glucose molar mass 180.16 g/mol

_UNITS_FOR_CODE = {
    "fever": ("C", "F"),
    "blood_glucose": ("mg/dL", "mmol/L"),
    "blood_pressure": ("mmHg",),
}


def fahrenheit_to_celsius(value: float) -> float:
    return (value - 32.0) * 5.0 / 9.0


def mmol_per_l_to_mg_per_dl(value: float) -> float:
    return value * _MG_DL_PER_MMOL_L


def canonical_measurement(code: str, value: float | None, unit: str | None) -> float | None:
    """Return the value in canonical units, or raise ValueError naming what is wrong."""
    allowed = _UNITS_FOR_CODE.get(code)
    if unit is not None and allowed is not None and unit not in allowed:
        raise ValueError(f'unit: expected one of {", ".join(allowed)} for {code}, got "{unit}"')
    if value is None:
        return None
    if code == "fever":
        if unit is None:
            raise ValueError("unit: expected C or F with a temperature value, got nothing")
        celsius = fahrenheit_to_celsius(value) if unit == "F" else float(value)
        low, high = _TEMPERATURE_C
        if not low <= celsius <= high:
            raise ValueError(
                f"value: expected a body temperature in {unit} "
                f"({'77-113' if unit == 'F' else '25-45'}), got {value}"
            )
        return round(celsius, 2)
    if code == "blood_glucose":
        if unit is None:
            raise ValueError("unit: expected mg/dL or mmol/L with a glucose value, got nothing")
        mg_dl = mmol_per_l_to_mg_per_dl(value) if unit == "mmol/L" else float(value)
        low, high = _GLUCOSE_MG_DL
        if not low <= mg_dl <= high:
            raise ValueError(
                f"value: expected a blood glucose in {unit} "
                f"({'0.6-111' if unit == 'mmol/L' else '10-2000'}), got {value}"
            )
        return round(mg_dl, 1)
    return float(value)
