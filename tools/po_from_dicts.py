"""One-off: the Python dicts of deeparch/present/catalogs/pt_BR.py as the gettext catalog pt_BR/deeparch.po.

msgid: the English (pages' TEXT, the declared words, en.py's labels and choices); msgctxt: "page:<section>.<key>"
for a page word, "label" for a parameter label, "choice:<knob>" for a value label, none for a declared word.
"""
from deeparch.catalogs import english_pages, po_path, write_po
from deeparch.present.catalogs import en, pt_BR
from babel.messages.catalog import Catalog

from datetime import datetime, timezone

cat = Catalog(locale="pt_BR", domain="deeparch", project="deeparch", fuzzy=False, last_translator="deeparch",
              language_team="pt-BR", revision_date=datetime(2026, 1, 1, tzinfo=timezone.utc))


def add(msgid, msgstr, context=None, comment=None):
    if msgid in (None, "") or msgstr is None:
        return
    old = cat.get(msgid, context)
    assert old is None or old.string == msgstr, (context, msgid, old.string, msgstr)
    cat.add(msgid, msgstr, context=context, auto_comments=[comment] if comment else ())


for section, text in english_pages().items():
    tr = pt_BR.PAGES.get(section, {})
    for key, value in text.items():
        if isinstance(value, dict):
            for k, v in value.items():
                add(v, (tr.get(key) or {}).get(k), f"page:{section}.{key}.{k}")
        else:
            add(value, tr.get(key), f"page:{section}.{key}")
for english, portuguese in pt_BR.MESSAGES.items():
    add(english, portuguese)
for name, label in en.LABELS.items():
    add(label, pt_BR.LABELS.get(name), "label", comment=name)
for knob, labels in en.CHOICES.items():
    for value, label in labels.items():
        add(label, pt_BR.CHOICES.get(knob, {}).get(value), f"choice:{knob}", comment=value)
write_po(cat, po_path())
print(len(cat), "messages")
