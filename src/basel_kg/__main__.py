"""``python -m basel_kg`` runs the ``basel-kg`` command line."""

from .cli import main

raise SystemExit(main())
