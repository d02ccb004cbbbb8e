"""The Runs page's downloads for one ticked run, for tools outside the lab: its TensorBoard event folder
(zipped), its sample grids as an animated GIF, its classifier as ONNX and TorchScript
(``deeparch.read.interop``, ``deeparch.engine.portable``). Each file is made only when its button is clicked;
what a run cannot give is said in one line instead of a button.
"""
from __future__ import annotations

import streamlit as st

from deeparch.engine import portable
from deeparch.present import i18n
from deeparch.present.messages import Message
from deeparch.present.text import md_escape
from deeparch.read import interop

TEXT = i18n.Catalog("export_view", {
    "title": "Take {name} out of the lab",
    "pick": "Tick one run to download its TensorBoard files, its samples as a GIF or its model as ONNX and "
            "TorchScript.",
    "tensorboard": "TensorBoard (zip)",
    "tensorboard_help": "Every metric the run logged, by step; its image grids at their steps; its settings "
                        "(hyperparameters): TensorBoard's event files in a folder run-{id}.",
    "tensorboard_how": "Unzip it, then run `tensorboard --logdir run-{id}` and open the address it prints.",
    "gif": "Samples over training (GIF)",
    "gif_help": "One frame per stored sample grid, in step order, with its step written above it: for a slide.",
    "onnx": "Model (ONNX)",
    "onnx_help": "The trained classifier for any ONNX runtime: input `image` (N, 1, 28, 28) in [-1, 1], output "
                 "`logits` (N, 10); the class names are in its metadata.",
    "torchscript": "Model (TorchScript)",
    "torchscript_help": "The trained classifier for PyTorch without this lab: `torch.jit.load` runs it.",
    "predict_how": "Try a downloaded model on an image: `python -m deeparch predict {file} digit.png` prints the "
                   "three most probable classes.",
    "no_gif": "No GIF: {why}",
    "no_model": "No ONNX or TorchScript model: {why}",
})


def downloads(s, ids: list[int]) -> None:
    """The download buttons for the one ticked run (each file made on its click)."""
    run = s.get_run(ids[0]) if len(ids) == 1 else None
    if run is None:
        st.caption(TEXT["pick"])
        return
    rid = run.id
    with st.expander(TEXT["title"].format(name=md_escape(run.name)), icon=":material/ios_share:"):
        row = st.container(horizontal=True)
        row.download_button(TEXT["tensorboard"], lambda: interop.tensorboard_zip(s, rid),
                            file_name=interop.FILES["tensorboard"].format(id=rid), mime="application/zip",
                            icon=":material/insights:", key="export_tensorboard", on_click="ignore",
                            help=TEXT["tensorboard_help"].format(id=rid))
        notes = [TEXT["tensorboard_how"].format(id=rid)]
        if interop.gif_steps(s, rid):
            lang = i18n.current()  # the step's word in the page's language (the file is made after this run)
            row.download_button(TEXT["gif"], lambda: interop.samples_gif(s, rid, lang=lang),
                                file_name=interop.FILES["gif"].format(id=rid), mime="image/gif",
                                icon=":material/animated_images:", key="export_gif", on_click="ignore",
                                help=TEXT["gif_help"])
        elif run.arch in _generators():
            why = Message("gif_no_grids", id=str(rid), arch=run.arch)
            notes.append(TEXT["no_gif"].format(why=md_escape(i18n.tr_error(why))))
        why = portable.refusal(s, run)
        if why is None:
            row.download_button(TEXT["onnx"], lambda: portable.onnx_bytes(s, rid),
                                file_name=portable.FILES["onnx"].format(id=rid), mime="application/octet-stream",
                                icon=":material/deployed_code:", key="export_onnx", on_click="ignore",
                                help=TEXT["onnx_help"])
            row.download_button(TEXT["torchscript"], lambda: portable.torchscript_bytes(s, rid),
                                file_name=portable.FILES["torchscript"].format(id=rid), mime="application/octet-stream",
                                icon=":material/deployed_code:", key="export_torchscript", on_click="ignore",
                                help=TEXT["torchscript_help"])
            notes.append(TEXT["predict_how"].format(file=portable.FILES["onnx"].format(id=rid)))
        else:
            notes.append(TEXT["no_model"].format(why=md_escape(i18n.tr_error(why))))
        for note in notes:
            st.caption(note)


def _generators() -> set[str]:
    from deeparch.course.archs import ARCHS

    return {a for a, spec in ARCHS.items() if spec.kind == "generator"}
