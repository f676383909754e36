"""``python -m basel_kg.server``: the same as ``basel-kg serve``."""

import argparse
import sys

from .cli import add_serve_arguments, serve_from_args

parser = argparse.ArgumentParser(prog="python -m basel_kg.server", description="Serve the Basel Convention "
                                 "knowledge graph: SPARQL endpoint, Linked Data pages, published queries.")
add_serve_arguments(parser)
sys.exit(serve_from_args(parser.parse_args()))
