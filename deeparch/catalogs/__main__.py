"""``python -m deeparch.catalogs``: the keys a translation lacks."""
from deeparch.catalogs.check import report

print(report())
