"""Exercises with automatic, specific feedback.

Each notebook's exercises live in ``helpers.exercises.nbNN`` as ``check_<name>(fn)``
functions. A checker runs the student's function on several random cases against a
reference implementation and prints what is right or wrong in plain words — which output,
by how much, a hint for the usual mistakes — never a bare traceback. It returns the
function later cells should use: the student's when it passes, otherwise the reference,
so a notebook always runs to the end (student versions included).
"""

from helpers.exercises.core import Diagnosis, Hint, check, check_value

__all__ = ["Diagnosis", "Hint", "check", "check_value"]
