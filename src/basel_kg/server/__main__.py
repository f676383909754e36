"""``python -m basel_kg.server``: the same as ``basel-kg serve``."""

import sys

from ..cli import main

sys.exit(main(["serve", *sys.argv[1:]]))
