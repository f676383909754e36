"""What the tests share: paths, the shipped knowledge graph in a Store (built once per session,
then from the cache), SHACL helpers, the W3C manifests, free ports and listeners.

Test modules import from here, never from one another.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "queries"
