"""Demo and benchmark data for ``manage.py seed_demo``.

- ``data``: the static demo world (centers, staff, names, titles, classifications).
- ``setup``: centers, staff and registered entities, made through the services.
- ``plans``: random but reproducible case histories (which transitions, when, by whom).
- ``replay``: plays a plan through the case services, as staff would.
- ``bulk``: plays plans in memory, mirroring the services' clocks, and inserts the rows
  with ``bulk_create``; for benchmark volumes (a million cases).
"""
