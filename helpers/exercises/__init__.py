"""Exercises with automatic, specific feedback.

Each notebook's exercises live in ``helpers.exercises.nbNN`` as ``check_<name>(fn)``
functions. A checker runs the student's function on several random cases against a
reference implementation and prints what is right or wrong in plain words — which output,
by how much, a hint for the usual mistakes — never a bare traceback. It returns the
function later cells should use: the student's when it passes, otherwise the reference,
so a notebook always runs to the end (student versions included).

A wrong answer is never shown the right one: a number is told its direction and a coarse
size of the miss (``describe_miss``) and the hint of the catalogued mistake it matches;
the exact value is printed on a right answer, or when the student asks (``reveal=True``).
"""

from helpers.exercises.core import (
    Diagnosis,
    Hint,
    NumberMistake,
    check,
    check_value,
    describe_miss,
    near,
    within,
)

__all__ = [
    "Diagnosis",
    "Hint",
    "NumberMistake",
    "check",
    "check_value",
    "describe_miss",
    "near",
    "within",
]
