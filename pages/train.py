"""Train: pick an architecture and its settings, launch one run or a race of several, see the queue.

Numbers are typed into text fields and parsed by the schema (``Param.coerce``), not into
``st.number_input``: a number input that refuses a value keeps its previous one, so a
click on Launch right after typing 1e9 launched the old value. Here every field's reason
is shown under it, Launch is disabled while one is invalid, and what is launched is
exactly what the fields show. Every field keeps its value while the user visits other
pages of the same browser session.
"""
import time
from dataclasses import replace

import streamlit as st

from deeparch import lifecycle, views
from deeparch.archs import ARCHS, load_config, make_config, schema
from deeparch import augment, lessons
from deeparch.config import CLASSIFIER, COMMON, ConfigError, Param
from deeparch.data import DATASETS, data_root
from deeparch.text import md_escape
from pages import _controls, _guard, _selection, _store

TEXT = {
    "title": "Train",
    "intro": "Choose an architecture and its settings, then launch. Training runs in the background: "
             "closing this tab or refreshing the page does not stop it.",
    "tab_one": "One run", "tab_race": "Race",
    "arch": "Architecture",
    "dataset": "Dataset",
    "dataset_missing": "{name} is not on this machine yet; the run will try to download it (needs internet). "
                       "mnist-5k is embedded and always works.",
    "params": "Parameters",
    "params_help": "Number of trainable weights of the model built with these settings.",
    "params_error": "These settings do not build a model: {error}",
    "kind_classifier": "classifier: learns to label digits",
    "kind_generator": "generator: learns to draw digits",
    "group_budget": "Training budget",
    "group_optimizer": "Optimizer",
    "group_arch": "Architecture settings",
    "group_cadence": "Logging, evaluation and checkpoints",
    "group_data": "Data, augmentation and transfer learning",
    "augment_preview": "What augmentation does: each row is one training image, then five versions of it as "
                       "training steps will see them with these settings.",
    "tab_lessons": "Lessons",
    "lesson": "Lesson",
    "lesson_runs": "Runs it launches",
    "lesson_col_name": "Run", "lesson_col_settings": "Settings (beside the course preset)",
    "lesson_col_from": "Starts from",
    "lesson_launch": "Launch lesson",
    "lesson_seed": "Seed",
    "reset": "Reset to the course defaults",
    "name": "Run name (optional)",
    "name_placeholder": "e.g. cnn lr 1e-3",
    "launch": "Launch run",
    "launched": "Launched run {ids}.",
    "double": "This run was launched a moment ago; not launching it twice.",
    "invalid": "Fix this setting before launching: {error}",
    "field_invalid": "{error}",
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
    "queue": "Queue",
    "queue_empty": "Nothing is training or waiting right now.",
    "queue_open": "Watch them live",
    "col_name": "Run", "col_status": "Status", "col_arch": "Architecture", "col_progress": "Progress",
    "col_step": "Step", "col_created": "Queued at",
}

BUDGET = ("epochs", "max_steps", "max_minutes", "batch_size")
OPTIMIZER = ("optimizer", "lr", "lr_schedule", "warmup", "momentum", "weight_decay", "l1", "grad_clip")
DATA = tuple(p.name for p in CLASSIFIER)  # validation, dataset options, augmentation, transfer
CADENCE = ("log_every", "eval_every", "sample_every", "quality_every", "checkpoint_every", "seed")


@st.cache_data(max_entries=64, show_spinner=False)
def count_params(config_json: str) -> tuple[int | None, str | None]:
    """Build the model once per configuration to count its weights (no training)."""
    try:
        cfg = load_config(config_json)
        model = ARCHS[cfg.arch].build(cfg)
        return sum(p.numel() for p in model.parameters()), None
    except Exception as e:  # noqa: BLE001 - e.g. heads that do not divide the embedding size
        return None, _guard.short(e)


@st.cache_data(max_entries=32, show_spinner=False)
def augment_preview(settings: tuple, dataset: str) -> bytes:
    """The preview grid of augmented training images for these augmentation settings (no training)."""
    return augment.preview_png(dict(settings), dataset)


@st.cache_data(max_entries=64, ttl=30, show_spinner=False)
def memory_problem(config_json: str) -> str | None:
    """Why this configuration cannot fit in this machine's memory now, or None (deeparch.memory)."""
    from deeparch import memory

    return memory.check(load_config(config_json))


def dataset_ready(name: str) -> bool:
    info = DATASETS[name]
    if info.offline:
        return True
    root = data_root()
    folder = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}.get(name, name)
    return (root / f"{name}.pt").exists() or (root / folder / "raw").exists()


def kept(widget, key: str, fresh: dict, *args, **kwargs):
    """Draw ``widget`` under ``key``; its value survives a visit to another page of this session.

    Streamlit forgets the state of a widget whose page is left; the value is copied to
    ``keep:<key>`` and given back before the widget is drawn again. ``fresh`` holds the
    default-value arguments, passed only when the widget has no value yet."""
    ss = st.session_state
    if key not in ss and f"keep:{key}" in ss:
        ss[key] = ss[f"keep:{key}"]
    value = widget(*args, key=key, **kwargs, **({} if key in ss else fresh))
    ss[f"keep:{key}"] = value
    return value


def shown(value) -> str:
    """A number as its text field shows it: 0.001, 64, 1e-07."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def number_field(p: Param, key: str, label: str | None = None, help_text: str | None = None):
    """A text field parsed by the schema: (value, None), or (None, reason) with the reason shown under it."""
    text = kept(st.text_input, key, {"value": shown(p.default)}, label or p.name,
                help=help_text or f"{p.help} — {p.describe_range()}")
    try:
        return p.coerce(text.strip()), None
    except ConfigError as e:
        st.error(TEXT["field_invalid"].format(error=md_escape(str(e))), icon=":material/error:")
        return None, str(e)


def param_input(p: Param, key: str):
    """One field for one hyperparameter: (value, reason or None)."""
    help_text = f"{p.help} — {p.describe_range()}"
    if p.type is bool:
        return kept(st.checkbox, key, {"value": bool(p.default)}, p.name, help=help_text), None
    if p.choices is not None:
        return kept(st.selectbox, key, {"index": p.choices.index(p.default)}, p.name, p.choices,
                    help=help_text), None
    return number_field(p, key)


def reset(arch: str) -> None:
    """Back to the course defaults of ``arch``: forget its fields (and their kept copies)."""
    for k in [k for k in st.session_state
              if isinstance(k, str) and (k.startswith(f"hp:{arch}:") or k.startswith(f"keep:hp:{arch}:"))]:
        del st.session_state[k]


def param_grid(params: list, arch: str, values: dict, errors: dict, ncol: int = 3) -> None:
    cols = st.columns(ncol)
    for i, p in enumerate(params):
        with cols[i % ncol]:
            value, error = param_input(p, f"hp:{arch}:{p.name}")
        if error:
            errors[p.name] = error
        else:
            values[p.name] = value


def data_settings(sch: dict, arch: str, dataset: str, values: dict, errors: dict) -> None:
    """The data practices of a classifier, and a preview of what the augmentation settings do."""
    data = [sch[n] for n in DATA if n in sch]
    if not data:
        return
    with st.expander(TEXT["group_data"], expanded=any(n in errors for n in DATA)):
        param_grid(data, arch, values, errors)
        aug = tuple((n, values[n]) for n in DATA if n.startswith("aug_") and n in values)
        if any(v for _, v in aug) and "classes" in values and dataset_ready(dataset):
            st.image(augment_preview(aug + (("classes", values["classes"]),), dataset),
                     caption=TEXT["augment_preview"])


def launch_button(label: str, key: str, icon: str, reasons: list[str], blocked: bool = False) -> bool:
    """Launch, disabled while a field is invalid, with the reasons listed beside it (a field may be
    scrolled away or in a closed section); never true while a reason stands."""
    go = st.button(label, type="primary", disabled=blocked or bool(reasons), icon=icon, key=key)
    if reasons:
        st.error(TEXT["refused"] + "\n\n" + "\n".join("- " + md_escape(r) for r in reasons),
                 icon=":material/block:")
    return go and not reasons and not blocked


def one_run() -> None:
    c1, c2 = st.columns([3, 2])
    with c1:
        arch = kept(st.selectbox, "train_arch", {}, TEXT["arch"], list(ARCHS), format_func=lambda a: ARCHS[a].title)
    spec = ARCHS[arch]
    with c2:
        dataset = kept(st.selectbox, "train_dataset", {}, TEXT["dataset"], list(DATASETS),
                       format_func=lambda d: DATASETS[d].title)
    if not dataset_ready(dataset):
        st.warning(TEXT["dataset_missing"].format(name=dataset), icon=":material/cloud_download:")

    sch = schema(arch)
    values: dict = {}
    errors: dict = {}
    with st.container(border=True):
        left, right = st.columns([3, 1])
        left.markdown(spec.summary if spec.summary and spec.summary != "TODO" else spec.title)
        left.caption(TEXT.get("kind_" + spec.kind, ""))  # a model family without a line here shows none
        params_slot = right.empty()

    st.markdown(f"**{TEXT['group_budget']}**")
    param_grid([sch[n] for n in BUDGET if n in sch], arch, values, errors)
    st.markdown(f"**{TEXT['group_optimizer']}**")
    param_grid([sch[n] for n in OPTIMIZER if n in sch], arch, values, errors)
    st.markdown(f"**{TEXT['group_arch']}**")
    own = [p for n, p in sch.items() if n not in BUDGET + OPTIMIZER + CADENCE + DATA]
    param_grid(own, arch, values, errors)
    data_settings(sch, arch, dataset, values, errors)
    with st.expander(TEXT["group_cadence"], expanded=any(n in errors for n in CADENCE)):
        param_grid([sch[n] for n in CADENCE if n in sch], arch, values, errors)
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
        n_params, build_error = count_params(cfg.to_json())
        error = error or (TEXT["params_error"].format(error=build_error) if build_error else None)
        error = error or memory_problem(cfg.to_json())
    params_slot.metric(TEXT["params"], f"{n_params:,}" if n_params else "–", help=TEXT["params_help"])
    if error:
        st.error(TEXT["invalid"].format(error=error), icon=":material/error:")

    name = kept(st.text_input, "train_name", {}, TEXT["name"], placeholder=TEXT["name_placeholder"])
    reasons = list(errors.values()) + ([error] if error else [])
    if launch_button(TEXT["launch"], "train_launch", ":material/rocket_launch:", reasons) and cfg is not None:
        ids = _controls.launch_once([cfg], [name.strip() or None])
        if ids is None:
            st.info(TEXT["double"])
        else:
            st.toast(TEXT["launched"].format(ids=", ".join(f"#{i}" for i in ids)))
            _selection.open_page("pages/live.py", ids)


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
                 list(ARCHS), format_func=lambda a: ARCHS[a].title)
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        dataset = kept(st.selectbox, "race_dataset", {}, TEXT["dataset"], list(DATASETS),
                       format_func=lambda d: DATASETS[d].title)
    with c2:
        unit = kept(st.radio, "race_unit", {}, TEXT["race_budget"], list(RACE_UNITS),
                    format_func=lambda u: TEXT["race_" + u], horizontal=True)
    field, budget_of = RACE_UNITS[unit]
    with c3:
        amount, amount_error = number_field(field, f"race_amount_{unit}", TEXT["race_amount"],
                                            TEXT["race_amount_help"].format(unit=TEXT["race_" + unit],
                                                                            range=field.describe_range()))
    with c4:
        seed, seed_error = number_field(_COMMON["seed"], "race_seed", TEXT["race_seed"])

    reasons = [e for e in (amount_error, seed_error) if e]
    configs, error = [], None
    if not reasons:
        try:
            configs = [make_config(a, dataset, seed=seed, **budget_of(amount)) for a in archs]
        except ConfigError as e:
            error = str(e)
    if error:
        st.error(TEXT["invalid"].format(error=error), icon=":material/error:")
        reasons.append(error)
    if len(archs) < 2:
        st.info(TEXT["race_pick"])
    if launch_button(TEXT["race_launch"], "race_go", ":material/sports_score:", reasons, blocked=len(archs) < 2):
        now = time.localtime()
        group = TEXT["race_name"].format(time=time.strftime("%Y-%m-%d %H:%M:%S", now))
        names = [TEXT["race_run_name"].format(arch=a, time=time.strftime("%H:%M", now)) for a in archs]
        ids = _controls.launch_once(configs, names, group=group)
        if ids is None:
            st.info(TEXT["double"])
        else:
            _selection.open_page("pages/live.py", ids)


def settings_text(hp: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in hp.items())


def lesson_tab() -> None:
    """One click for a lesson's group of runs (a fine-tune is queued behind its pre-training)."""
    key = kept(st.selectbox, "lesson_key", {}, TEXT["lesson"], list(lessons.LESSONS),
               format_func=lambda k: lessons.LESSONS[k].title)
    lesson = lessons.LESSONS[key]
    st.markdown(lesson.explain)
    seed, seed_error = number_field(_COMMON["seed"], "lesson_seed", TEXT["lesson_seed"])
    rows = [{TEXT["lesson_col_name"]: r.name, TEXT["lesson_col_settings"]: settings_text(r.hp),
             TEXT["lesson_col_from"]: lesson.runs[r.starts_from].name if r.starts_from is not None else ""}
            for r in lesson.runs]
    st.caption(TEXT["lesson_runs"])
    st.dataframe(rows, hide_index=True, width="stretch")
    reasons, cfgs = [seed_error] if seed_error else [], []
    if not reasons:
        try:
            cfgs = lessons.configs(lesson, make_config, seed=seed)
        except ConfigError as e:
            reasons.append(str(e))
    if launch_button(TEXT["lesson_launch"], "lesson_go", ":material/school:", reasons):
        ids = _controls.launch_once(cfgs, [r.name for r in lesson.runs], group=lesson.title,
                                    chain=lambda cfgs, start: lessons.launch(lesson, cfgs, start))
        if ids is None:
            st.info(TEXT["double"])
        else:
            _selection.open_page("pages/live.py", ids)


def queue() -> None:
    st.subheader(TEXT["queue"])
    s = _store.store()
    active = s.list_runs(status=lifecycle.ACTIVE)
    if not active:
        st.caption(TEXT["queue_empty"])
        return
    df = views.runs_frame(s, active)
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
    tab_one, tab_race, tab_lessons = st.tabs([TEXT["tab_one"], TEXT["tab_race"], TEXT["tab_lessons"]])
    with tab_one:
        one_run()
    with tab_race:
        race()
    with tab_lessons:
        lesson_tab()
    st.divider()
    queue()


_guard.page(main)
