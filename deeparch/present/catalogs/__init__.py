"""``en.py``: the English labels of the parameters and of their named values, the only English with no home
in the code. The Portuguese of everything is the gettext catalog ``deeparch/present/locale/pt_BR/LC_MESSAGES``
(``deeparch/catalogs.py``: ``python -m deeparch.catalogs`` lists what it lacks, and extracts, updates and
compiles it).
"""
