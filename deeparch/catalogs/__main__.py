"""``python -m deeparch.catalogs``: the keys a translation lacks."""
from deeparch.catalogs import report

print(report())
