"""Exercise checks: run the learner's answer and reply with "correct!", or with a hint - never a traceback.

Every notebook ends with exercises. A learner's answer cell starts as ``None`` (a value to find) or as a skeleton
with ``# TODO`` lines that raises ``NotImplementedError`` (a piece to write). The check cell below it calls

- :func:`check_answer` to compare a value with the expected one, or
- :func:`check` to run a *checker* on the learner's code. A checker raises :class:`Hint` with a specific message
  when the attempt is wrong (the usual mistakes: the forgotten hook, ``steps`` instead of ``max_steps``, ...);
  an unexpected exception from the learner's code is reported in one line, followed by a hint when one of the
  known mistakes matches.

Each prints one line starting with the exercise's name: ``correct!``, ``not answered yet`` or ``not yet``.
``tests/test_exercises.py`` runs every notebook with the solutions and requires ``correct!`` from each.

Taught in ``notebooks/01_dataset_pipeline.ipynb``; the checkers of each notebook's main exercise are below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

NOT_ANSWERED = "not answered yet - fill in your answer above and re-run this cell (solution: click to reveal)"


class Hint(Exception):
    """The learner's attempt is not right yet; the message says what to look at."""


def expect(condition, hint: str) -> None:
    """Raise :class:`Hint` with ``hint`` unless ``condition`` holds (the checkers' one assertion)."""
    if not condition:
        raise Hint(hint)


def check_answer(name: str, answer, expected, hint: str = "") -> bool:
    """Compare an exercise answer with the expected value; ``None`` means not answered yet (not an error)."""
    if answer is None:
        print(f"{name}: {NOT_ANSWERED}")
        return False
    if answer != expected:
        print(f"{name}: not yet - {answer!r} is not right." + (f" Hint: {hint}" if hint else ""))
        return False
    print(f"{name}: correct!")
    return True


def check(name: str, attempt, checker: Callable, known_mistakes: Iterable[tuple[str, str]] = ()) -> bool:
    """Run ``checker(attempt)`` and print one line: correct, not answered yet, or not yet with a hint.

    ``attempt`` is what the learner wrote (a function, usually); ``None`` or a ``NotImplementedError`` raised
    from a skeleton means "not answered yet". ``known_mistakes`` pairs a regular expression, searched in
    ``"ExceptionType: message"`` of an unexpected error, with the hint to show for it.
    """
    if attempt is None:
        print(f"{name}: {NOT_ANSWERED}")
        return False
    try:
        checker(attempt)
    except NotImplementedError:
        print(f"{name}: {NOT_ANSWERED}")
        return False
    except Hint as hint:
        print(f"{name}: not yet - {hint}")
        return False
    except Exception as error:  # the learner's code failed: one line, and a hint if we know the mistake
        text = f"{type(error).__name__}: {_first_line(error)}"
        hints = [hint for pattern, hint in known_mistakes if re.search(pattern, text, re.S)]
        print(f"{name}: not yet - your code raised {text}" + (f"\n  Hint: {hints[0]}" if hints else ""))
        return False
    print(f"{name}: correct!")
    return True


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no message)"
