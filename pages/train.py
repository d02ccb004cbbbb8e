"""Train: pick an architecture and its settings, launch one run, a race of several, or a sweep over one or
two knobs; see the queue.

The fields (``pages._fields``) are typed text parsed by the schema: every field's reason is shown
under it, Launch is disabled while one is invalid, and what is launched is exactly what the fields
show. Every field keeps its value while the user visits other pages of the same browser session.
The Sweep tab is ``pages._sweep_form``.
"""
import time
from dataclasses import replace

import streamlit as st

from deeparch.engine import augment
from deeparch.present import i18n
from deeparch.read import views
from deeparch.execution import preflight
from deeparch.store import lifecycle
from deeparch.course.archs import ARCHS, make_config, race_configs, races, schema
from deeparch.course.config import CLASSIFIER, COMMON, ConfigError
from deeparch.course.data import DATASETS, is_ready
from pages import _controls, _guard, _own_data, _selection, _store, _sweep_form, _words
from pages._fields import apply_preset, classroom_reasons, kept, launch_button, number_field, param_grid, reset

TEXT = i18n.Catalog("train", {
    "title": "Train",
    "intro": "Choose an architecture and its settings, then launch. Training runs in the background: "
             "closing this tab or refreshing the page does not stop it.",
    "tab_one": "One run", "tab_race": "Race",
    "arch": "Architecture",
    "dataset": "Dataset",
    "own_title": "Your own images",
    "own_option": "{name} (your images)",
    "own_intro": "Upload a zip of a folder with one sub-folder per class (its name is the class: gatos/, "
                 "cachorros/…; PNG, JPEG, GIF, BMP, WebP or TIFF images), or a CSV laid out like Kaggle's MNIST: a "
                 "label, then 784 pixel values 0–255 per line. Each image becomes 28×28 grey, padded to a square "
                 "with its edge colour (nothing is cut off); a fifth of each class is kept for testing. Limits: "
                 "{upload} MB, {images} images, 2 to {classes} classes, at least {least} images a class.",
    "own_file": "A .zip of class folders, or a .csv",
    "own_name": "Name of the dataset",
    "own_name_placeholder": "e.g. gatos",
    "own_name_help": "Lowercase letters, digits, - or _, starting with a letter; it names the dataset in every "
                     "list and on the command line.",
    "own_import": "Import",
    "own_working": "Reading the images and training the judge that will score generators on them…",
    "own_done": "Imported {name}: {classes} classes, {train} training and {test} test images ({skipped} files "
                "were no image and were left out). It is selected above.",
    "own_teacher": "In classroom mode the teacher imports datasets (unlock teacher mode in the sidebar).",
    "own_about": "Your images: {classes}; {train} training / {test} test images. Its judge names {judge}% of the "
                 "test images right.",
    "own_weak": "Below {trusted}%: too weak to call a generator's samples recognisable, so that figure is not "
                "reported for this dataset.",
    "dataset_missing": "{name} is not on this machine yet; the run will try to download it (needs internet). "
                       "mnist-5k is embedded and always works.",
    "params": "Parameters",
    "params_help": "Number of trainable weights of the model built with these settings.",
    "params_error": "These settings do not build a model: {error}",
    "kind_classifier": "classifier: learns to label digits",
    "kind_generator": "generator: learns to draw digits",
    "kind_language_model": "language model: learns to continue sequences of tokens (generated tasks)",
    "group_budget": "Training budget",
    "group_optimizer": "Optimizer",
    "group_arch": "Architecture settings",
    "group_cadence": "Logging, evaluation and checkpoints",
    "group_dataset": "Dataset settings",
    "presets": "Presets",
    "presets_help": "Settings that show one feature's effect; they replace the fields below.",
    "lesson": "Lesson races",
    "lesson_intro": "A lesson told by racing settings against each other (same data, seed and budget as above).",
    "lesson_pick": "Lesson",
    "lesson_launch": "Launch lesson race",
    "lesson_budget": "Fix the budget and seed above first.",
    "lesson_run_name": "{label} · {title}",
    "group_data": "Data, augmentation and transfer learning",
    "augment_preview": "What augmentation does: each row is one training image, then five versions of it as "
                       "training steps will see them with these settings.",
    "reset": "Reset to the course defaults",
    "name": "Run name (optional)",
    "name_placeholder": "e.g. cnn lr 1e-3",
    "launch": "Launch run",
    "launched": "Launched run {ids}.",
    "double": "This run was launched a moment ago; not launching it twice.",
    "invalid": "Fix this setting before launching: {error}",
    "field_invalid": "{error}",
    "read_as": "Read as {value}.",
    "refused": "Launch is off until these fields are fixed:",
    "first_body": "There are no runs yet. Start with a short demo: a CNN learns to read handwritten digits "
                  "for 300 steps (under a minute on a 2-core CPU), and you watch its loss, accuracy and "
                  "gradients live. Or pick an architecture and its settings below and launch your own.",
    "race_intro": "A race trains several architectures on the same data, with the same seed and the same "
                  "budget, so you can compare them fairly on the Compare page. Each architecture keeps its "
                  "course settings otherwise.",
    "race_archs": "Architectures",
    "race_budget": "Budget in",
    "race_epochs": "epochs", "race_steps": "steps", "race_minutes": "minutes of training",
    "race_amount": "How many",
    "race_seed": "Seed",
    "race_launch": "Launch race",
    "race_pick": "Pick at least two architectures for a race.",
    "race_name": "race {time}",
    "race_run_name": "{arch} · race {time}",
    "race_amount_help": "{unit}: {range}",
    "tab_sweep": "Sweep",
    "sweep_intro": "A sweep trains one run for every combination of the values below, all other settings as in "
                   "the One run tab ({arch}). The runs wait in the queue and train a few at a time; Compare then "
                   "shows the final figure against the knobs: a line for one knob, a heat map for two.",
    "sweep_knob1": "Knob", "sweep_knob2": "Second knob (optional)",
    "sweep_no_knob": "none",
    "sweep_values": "Values of {knob}",
    "sweep_values_help": "{help}. Separate the values with {sep}, e.g. {sample}. Each is {range}.",
    "list_comma": "commas (,)", "list_semicolon": "semicolons (;)",
    "sweep_count": "{n} runs; up to {slots} train at once, the others wait in the queue.",
    "sweep_launch": "Launch sweep",
    "sweep_name": "sweep {knobs} {time}",
    "sweep_x": " × ",
    "queue": "Queue",
    "queue_empty": "Nothing is training or waiting right now.",
    "queue_open": "Watch them live",
    "col_name": "Run", "col_status": "Status", "col_arch": "Architecture", "col_progress": "Progress",
    "col_step": "Step", "col_created": "Queued at",
})

BUDGET = ("epochs", "max_steps", "max_minutes", "batch_size")
OPTIMIZER = ("optimizer", "lr", "lr_schedule", "warmup", "momentum", "weight_decay", "l1", "grad_clip", "precision")
DATA = tuple(p.name for p in CLASSIFIER)  # validation, dataset options, augmentation, transfer
CADENCE = ("log_every", "eval_every", "sample_every", "quality_every", "checkpoint_every", "seed")


@st.cache_data(max_entries=32, show_spinner=False)
def augment_preview(settings: tuple, dataset: str) -> bytes:
    """The preview grid of augmented training images for these augmentation settings (no training)."""
    return augment.preview_png(dict(settings), dataset)


@st.cache_data(max_entries=64, ttl=30, show_spinner=False)
def preflight_of(config_json: str) -> tuple[int | None, str | None, str | None]:
    """How many weights this configuration's model has, why it cannot be built, and why it cannot train
    here now (a precision this machine lacks, not enough memory): one deeparch.execution.preflight, which builds
    the model once on the meta device and is remembered for the launch."""
    try:
        checked = preflight.preflight(config_json)
    except Exception as e:  # noqa: BLE001 - e.g. heads that do not divide the embedding size
        return None, _guard.short(e), None
    return checked.params, None, preflight.problem(checked)


def arch_title(arch: str) -> str:
    return i18n.tr(ARCHS[arch].title)


def dataset_title(name: str) -> str:
    info = DATASETS[name]
    return TEXT["own_option"].format(name=name) if info.imported else i18n.tr(info.title)


def data_settings(sch: dict, arch: str, dataset: str, values: dict, errors: dict) -> None:
    """The data practices of a classifier, and a preview of what the augmentation settings do."""
    data = [sch[n] for n in DATA if n in sch]
    if not data:
        return
    with st.expander(TEXT["group_data"], expanded=any(n in errors for n in DATA)):
        param_grid(data, arch, values, errors, TEXT)
        aug = tuple((n, values[n]) for n in DATA if n.startswith("aug_") and n in values)
        if any(v for _, v in aug) and "classes" in values and is_ready(dataset):
            st.image(augment_preview(aug + (("classes", values["classes"]),), dataset),
                     caption=TEXT["augment_preview"])


def one_run() -> tuple[str, str, dict, list[str]]:
    """The One run tab; returns its architecture, dataset, valid field values and field errors (the
    base of a sweep)."""
    c1, c2 = st.columns([3, 2])
    with c1:
        arch = kept(st.selectbox, "train_arch", {}, TEXT["arch"], list(ARCHS), format_func=arch_title)
    spec = ARCHS[arch]
    with c2:
        _own_data.select_imported()
        dataset = kept(st.selectbox, "train_dataset", {}, TEXT["dataset"], list(DATASETS),
                       format_func=dataset_title)
        _own_data.about(dataset, TEXT)
    if not is_ready(dataset):
        st.warning(TEXT["dataset_missing"].format(name=dataset), icon=":material/cloud_download:")
    _own_data.uploader(TEXT)

    if spec.presets:
        st.caption(TEXT["presets"], help=TEXT["presets_help"])
        for col, preset in zip(st.columns(len(spec.presets)), spec.presets):
            col.button(i18n.tr(preset.title), key=f"preset:{preset.name}", on_click=apply_preset, args=(arch, preset),
                       icon=":material/tune:")

    sch = schema(arch, dataset)
    own_data = [p.name for p in DATASETS[dataset].params]
    values: dict = {}
    errors: dict = {}
    with st.container(border=True):
        left, right = st.columns([3, 1])
        left.markdown(i18n.tr(spec.summary if spec.summary and spec.summary != "TODO" else spec.title))
        left.caption(TEXT.get("kind_" + spec.kind, ""))  # a model family without a line here shows none
        params_slot = right.empty()

    st.markdown(f"**{TEXT['group_budget']}**")
    param_grid([sch[n] for n in BUDGET if n in sch], arch, values, errors, TEXT)
    st.markdown(f"**{TEXT['group_optimizer']}**")
    param_grid([sch[n] for n in OPTIMIZER if n in sch], arch, values, errors, TEXT)
    st.markdown(f"**{TEXT['group_arch']}**")
    own = [p for n, p in sch.items() if n not in BUDGET + OPTIMIZER + CADENCE + DATA + tuple(own_data)]
    param_grid(own, arch, values, errors, TEXT)
    if own_data:
        st.markdown(f"**{TEXT['group_dataset']}**")
        param_grid([sch[n] for n in own_data], arch, values, errors, TEXT)
    data_settings(sch, arch, dataset, values, errors)
    with st.expander(TEXT["group_cadence"], expanded=any(n in errors for n in CADENCE)):
        param_grid([sch[n] for n in CADENCE if n in sch], arch, values, errors, TEXT)
    st.button(TEXT["reset"], on_click=reset, args=(arch,), type="tertiary", icon=":material/restart_alt:",
              key="train_reset")

    cfg, error = None, None
    if not errors:
        try:
            cfg = make_config(arch, dataset, **values)
        except ConfigError as e:
            error = str(e)
    n_params = None
    if cfg is not None:
        n_params, build_error, problem = preflight_of(cfg.to_json())
        error = error or (TEXT["params_error"].format(error=build_error) if build_error else None) or problem
    params_slot.metric(TEXT["params"], i18n.number(n_params) if n_params else "–", help=TEXT["params_help"])
    if error:
        st.error(TEXT["invalid"].format(error=i18n.tr_error(error)), icon=":material/error:")

    name = kept(st.text_input, "train_name", {}, TEXT["name"], placeholder=TEXT["name_placeholder"])
    reasons = list(errors.values()) + ([error] if error else []) + classroom_reasons(1)
    if launch_button(TEXT["launch"], "train_launch", ":material/rocket_launch:", reasons, TEXT) and cfg is not None:
        def go(cfg=cfg, name=name.strip() or None):
            ids = _controls.launch_once([cfg], [name])
            if ids:
                st.session_state["_flash"] = TEXT["launched"].format(ids=", ".join(f"#{i}" for i in ids))
            return ids

        _selection.launch_then_open("pages/live.py", go, TEXT["double"])
    return arch, dataset, values, list(errors.values())


_COMMON = {p.name: p for p in COMMON}
RACE_UNITS = {  # budget unit → (its field: the schema's parameter, "0 = no limit" excluded; the settings it makes)
    "epochs": (replace(_COMMON["epochs"], default=3), lambda n: {"epochs": n, "max_steps": 0}),
    "steps": (replace(_COMMON["max_steps"], default=500, min=1), lambda n: {"epochs": 1000, "max_steps": n}),
    "minutes": (replace(_COMMON["max_minutes"], default=2.0, min=0.1),
                lambda n: {"epochs": 1000, "max_steps": 0, "max_minutes": n}),
}


def race() -> None:
    st.caption(TEXT["race_intro"])
    archs = kept(st.multiselect, "race_archs", {"default": [a for a, spec in ARCHS.items() if spec.race_default]}, TEXT["race_archs"],
                 list(ARCHS), format_func=arch_title, placeholder=_words.TEXT["choose"], select_all=_words.select_all())
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        dataset = kept(st.selectbox, "race_dataset", {}, TEXT["dataset"], list(DATASETS),
                       format_func=dataset_title)
    with c2:
        unit = kept(st.radio, "race_unit", {}, TEXT["race_budget"], list(RACE_UNITS),
                    format_func=lambda u: TEXT["race_" + u], horizontal=True)
    field, budget_of = RACE_UNITS[unit]
    with c3:
        amount, amount_error = number_field(field, f"race_amount_{unit}", TEXT, TEXT["race_amount"],
                                            TEXT["race_amount_help"].format(
                                                unit=TEXT["race_" + unit], range=i18n.tr_error(field.describe_range())))
    with c4:
        seed, seed_error = number_field(_COMMON["seed"], "race_seed", TEXT, TEXT["race_seed"])

    reasons = [e for e in (amount_error, seed_error) if e]
    configs, error = [], None
    if not reasons:
        try:
            configs = [make_config(a, dataset, seed=seed, **budget_of(amount)) for a in archs]
        except ConfigError as e:
            error = str(e)
    if error:
        st.error(TEXT["invalid"].format(error=i18n.tr_error(error)), icon=":material/error:")
        reasons.append(error)
    if len(archs) < 2:
        st.info(TEXT["race_pick"])
    reasons += classroom_reasons(len(archs))
    if launch_button(TEXT["race_launch"], "race_go", ":material/sports_score:", reasons, TEXT,
                     blocked=len(archs) < 2):
        now = time.localtime()
        group = TEXT["race_name"].format(time=time.strftime("%Y-%m-%d %H:%M:%S", now))
        names = [TEXT["race_run_name"].format(arch=a, time=time.strftime("%H:%M", now)) for a in archs]
        _selection.launch_then_open("pages/live.py", lambda: _controls.launch_once(configs, names, group=group),
                                    TEXT["double"])
    st.divider()
    lesson_races(seed, None if amount_error or seed_error else budget_of(amount))


def lesson_races(seed, budget: dict | None) -> None:
    """The declared lesson races: pick one, read what it shows, launch it with the budget and seed above."""
    found = races()
    if not found:
        return
    st.markdown(f"**{TEXT['lesson']}**")
    st.caption(TEXT["lesson_intro"])
    name = kept(st.selectbox, "lesson_race", {}, TEXT["lesson_pick"], list(found), format_func=lambda r: i18n.tr(found[r].title))
    lesson = found[name]
    st.caption(i18n.tr(lesson.explain))
    reasons, configs = [], []
    if budget is None:
        reasons.append(TEXT["lesson_budget"])
    else:
        try:
            configs = race_configs(lesson, seed, budget)
        except ConfigError as e:
            reasons.append(str(e))
    if launch_button(TEXT["lesson_launch"], "lesson_go", ":material/school:", reasons, TEXT):
        now = time.localtime()
        group = TEXT["race_name"].format(time=time.strftime("%Y-%m-%d %H:%M:%S", now))
        names = [TEXT["lesson_run_name"].format(label=i18n.tr(label), title=i18n.tr(lesson.title)) for label, *_ in lesson.runs]
        _selection.launch_then_open("pages/live.py", lambda: _controls.launch_once(configs, names, group=group),
                                    TEXT["double"])


def queue() -> None:
    st.subheader(TEXT["queue"])
    s = _store.store()
    active = s.list_runs(status=lifecycle.ACTIVE)
    if not active:
        st.caption(TEXT["queue_empty"])
        return
    df = views.runs_frame(s, active)
    df["status"] = df["status"].map(_words.status)
    st.dataframe(
        df[["name", "status", "arch", "progress", "step", "created"]], hide_index=True, width="stretch",
        placeholder="–",
        column_config={
            "name": TEXT["col_name"], "status": TEXT["col_status"], "arch": TEXT["col_arch"],
            "progress": st.column_config.ProgressColumn(TEXT["col_progress"], min_value=0.0, max_value=1.0,
                                                        format="percent"),
            "step": TEXT["col_step"],
            "created": st.column_config.DatetimeColumn(TEXT["col_created"], format="HH:mm:ss"),
        },
    )
    if st.button(TEXT["queue_open"], icon=":material/monitoring:", key="queue_open"):
        _selection.open_page("pages/live.py", [r.id for r in active if r.status in lifecycle.LIVE] or [r.id for r in active])


def main() -> None:
    st.title(TEXT["title"])
    s = _store.store()
    if views.run_count(s) == 0:
        _controls.first_run_hint(body=TEXT["first_body"])
    st.caption(TEXT["intro"])
    # the open tab is kept by the server (key, on_change): a rerun from a field typed a moment before
    # cannot send the user back to the first tab; every tab is still drawn, since Sweep builds on One run
    tab_one, tab_race, tab_sweep = st.tabs([TEXT["tab_one"], TEXT["tab_race"], TEXT["tab_sweep"]],
                                           key="train_tab", on_change="rerun")
    with tab_one:
        base = one_run()
    with tab_race:
        race()
    with tab_sweep:
        _sweep_form.sweep_tab(*base, words=TEXT)
    st.divider()
    queue()


_guard.page(main)
