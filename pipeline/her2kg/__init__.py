"""her2kg: a knowledge graph of resistance to anti-HER2 therapy in HER2-positive breast cancer."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("her2kg")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
