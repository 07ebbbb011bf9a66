"""The book's tooling, kept out of the installed ``gaebook`` wheel.

- ``tools/build.py``: the strict book build, and ``--chapter`` author mode;
- ``tools/coursework.py``: what a chapter offers for coursework, read from its source;
- ``tools/student_edition.py``: the student edition (solutions removed);
- ``tools/assignments.py``: the instructor kit (nbgrader release, autograding, CSV).

Run them from the repository root: ``python tools/build.py``, or ``python -m tools.build``.
"""
