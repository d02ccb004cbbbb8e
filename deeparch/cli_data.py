"""``python -m deeparch data {import,list,remove}``: a teacher's own image sets (``deeparch.engine.own_data``)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def cmd_data(args) -> int:
    from deeparch.engine import own_data

    if args.action == "import":
        print(f"importing {args.path} as {args.name} (reading, then training its judge)…", file=sys.stderr)
        meta = own_data.import_images(args.name, Path(args.path))
        print(json.dumps({k: meta[k] for k in ("name", "classes", "train", "test", "skipped", "judge_accuracy",
                                                "judge_trusted")}, ensure_ascii=False))
    elif args.action == "list":
        for name, meta in own_data.listed().items():
            print(f"{name}\t{len(meta['classes'])} classes ({', '.join(meta['classes'])})\t{meta.get('train')} train / "
                  f"{meta.get('test')} test\tjudge accuracy {meta.get('judge_accuracy')}")
    else:
        own_data.remove(args.name)
        print(f"removed {args.name}", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    d = sub.add_parser("data", help="import a folder of your own images (one sub-folder per class), a zip of it or "
                       "a CSV (label, then 784 pixels 0-255) as a dataset under $DEEPARCH_DATA; list or remove them")
    acts = d.add_subparsers(dest="action", required=True, metavar="ACTION")
    i = acts.add_parser("import", help="import PATH (a folder, a .zip or a .csv) as the dataset NAME")
    i.add_argument("name", help="the dataset's name: lowercase letters, digits, - or _, starting with a letter")
    i.add_argument("path", help="a folder with one sub-folder per class, a zip of it, or a CSV")
    acts.add_parser("list", help="list the imported datasets")
    r = acts.add_parser("remove", help="remove an imported dataset (its runs keep their figures)")
    r.add_argument("name")
    d.set_defaults(fn=cmd_data)
