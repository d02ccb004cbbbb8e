"""The translation catalogs: ``en.py`` (parameter labels, the only English with no home in the code)
and ``pt_BR.py`` (the Portuguese of everything). ``deeparch/catalogs.py`` collects the English catalog from where
it is written and lists what a translation lacks (``python -m deeparch.catalogs``). Nothing is
imported here, so ``deeparch.present.i18n`` reads a catalog without pulling in the pages or the charts.
"""
