"""Development tooling: demo and benchmark data for ``manage.py seed_demo`` (and
``bin/run``). Not part of the app's runtime: nothing but that command and the tests
imports this package (``tests/test_imports.py`` checks), and it writes through the
services or, for benchmark volumes, with the same clock rules they apply.

- ``data``: the static demo world (centers, staff, names, titles, classifications).
- ``setup``: centers, staff and registered entities, made through the services.
- ``plans``: random but reproducible case histories (which transitions, when, by whom).
- ``replay``: plays a plan through the case services, as staff would.
- ``bulk``: plays plans in memory with the services' clock rules (``cases.clock_rules``)
  and inserts the rows with ``bulk_create`` or ``COPY``; for benchmark volumes (a
  million cases).
"""
