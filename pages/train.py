"""Train: pick an architecture and its settings, launch one run or a race of several, see the queue."""
import math
import time

import streamlit as st

from deeparch import views
from deeparch.archs import ARCHS, load_config, make_config, schema
from deeparch.config import ConfigError
from deeparch.data import DATASETS, data_root
from pages import _common as ui

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
    "reset": "Reset to the course defaults",
    "name": "Run name (optional)",
    "name_placeholder": "e.g. cnn lr 1e-3",
    "launch": "Launch run",
    "launched": "Launched run {ids}.",
    "double": "This run was launched a moment ago; not launching it twice.",
    "invalid": "Fix this setting before launching: {error}",
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
    "queue": "Queue",
    "queue_empty": "Nothing is training or waiting right now.",
    "queue_open": "Watch them live",
    "col_name": "Run", "col_status": "Status", "col_arch": "Architecture", "col_progress": "Progress",
    "col_step": "Step", "col_created": "Queued at",
}

BUDGET = ("epochs", "max_steps", "max_minutes", "batch_size")
OPTIMIZER = ("optimizer", "lr", "lr_schedule", "warmup", "momentum", "weight_decay", "grad_clip")
CADENCE = ("log_every", "eval_every", "sample_every", "quality_every", "checkpoint_every", "seed")


@st.cache_data(max_entries=64, show_spinner=False)
def count_params(config_json: str) -> tuple[int | None, str | None]:
    """Build the model once per configuration to count its weights (no training)."""
    try:
        cfg = load_config(config_json)
        model = ARCHS[cfg.arch].build(cfg)
        return sum(p.numel() for p in model.parameters()), None
    except Exception as e:  # noqa: BLE001 - e.g. heads that do not divide the embedding size
        return None, ui.short(e)


def dataset_ready(name: str) -> bool:
    info = DATASETS[name]
    if info.offline:
        return True
    root = data_root()
    folder = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}.get(name, name)
    return (root / f"{name}.pt").exists() or (root / folder / "raw").exists()


def _decimals(p) -> int:
    digits = [len(f"{v:.6f}".rstrip("0").split(".")[1]) for v in (p.default, p.max) if v is not None]
    return min(6, max(2, *digits)) if digits else 2


def param_input(p, key: str):
    """One widget for one hyperparameter, bounded by its schema; its value survives a visit to another page."""
    ss = st.session_state
    if key not in ss and f"keep:{key}" in ss:
        ss[key] = ss[f"keep:{key}"]  # Streamlit forgets a widget's value when its page is left
    fresh = key not in ss
    help_text = f"{p.help} — {p.describe_range()}"
    if p.type is bool:
        value = st.checkbox(p.name, key=key, help=help_text, **({"value": bool(p.default)} if fresh else {}))
    elif p.choices is not None:
        value = st.selectbox(p.name, p.choices, key=key, help=help_text,
                             **({"index": p.choices.index(p.default)} if fresh else {}))
    else:
        lo = None if p.min is None else p.type(p.min)
        hi = None if p.max is None else p.type(p.max)
        if p.type is int:
            fmt, step, default = None, 1, int(p.default)
        elif p.log:
            fmt, default = "%.1e", float(p.default)
            step = 10.0 ** (math.floor(math.log10(p.default)) - 1) if p.default > 0 else 1e-5
        else:
            d = _decimals(p)
            fmt, step, default = f"%.{d}f", 10.0 ** -d, float(p.default)
        value = st.number_input(p.name, min_value=lo, max_value=hi, step=step, format=fmt, key=key,
                                help=help_text, **({"value": default} if fresh else {}))
    ss[f"keep:{key}"] = value
    return value


def remembered(key: str) -> None:
    """Give a widget back the value it had when its page was left (before the widget is drawn)."""
    if key not in st.session_state and f"keep:{key}" in st.session_state:
        st.session_state[key] = st.session_state[f"keep:{key}"]


def remember(key: str, value) -> None:
    st.session_state[f"keep:{key}"] = value


def reset(arch: str) -> None:
    for k in [k for k in st.session_state
              if isinstance(k, str) and (k.startswith(f"hp:{arch}:") or k.startswith(f"keep:hp:{arch}:"))]:
        del st.session_state[k]


def param_grid(params: list, arch: str, values: dict, ncol: int = 3) -> None:
    cols = st.columns(ncol)
    for i, p in enumerate(params):
        with cols[i % ncol]:
            values[p.name] = param_input(p, f"hp:{arch}:{p.name}")


def one_run() -> None:
    arch_names = list(ARCHS)
    c1, c2 = st.columns([3, 2])
    remembered("train_arch")
    remembered("train_dataset")
    arch = c1.selectbox(TEXT["arch"], arch_names, format_func=lambda a: ARCHS[a].title, key="train_arch")
    spec = ARCHS[arch]
    dataset = c2.selectbox(TEXT["dataset"], list(DATASETS), format_func=lambda d: DATASETS[d].title,
                           key="train_dataset")
    remember("train_arch", arch)
    remember("train_dataset", dataset)
    if not dataset_ready(dataset):
        st.warning(TEXT["dataset_missing"].format(name=dataset), icon=":material/cloud_download:")

    sch = schema(arch)
    values: dict = {}
    with st.container(border=True):
        left, right = st.columns([3, 1])
        left.markdown(spec.summary if spec.summary and spec.summary != "TODO" else spec.title)
        left.caption(TEXT["kind_" + spec.kind])
        params_slot = right.empty()

    st.markdown(f"**{TEXT['group_budget']}**")
    param_grid([sch[n] for n in BUDGET if n in sch], arch, values)
    st.markdown(f"**{TEXT['group_optimizer']}**")
    param_grid([sch[n] for n in OPTIMIZER if n in sch], arch, values)
    st.markdown(f"**{TEXT['group_arch']}**")
    own = [p for n, p in sch.items() if n not in BUDGET + OPTIMIZER + CADENCE]
    param_grid(own, arch, values)
    with st.expander(TEXT["group_cadence"]):
        param_grid([sch[n] for n in CADENCE if n in sch], arch, values)
    st.button(TEXT["reset"], on_click=reset, args=(arch,), type="tertiary", icon=":material/restart_alt:")

    cfg, error = None, None
    try:
        cfg = make_config(arch, dataset, **values)
    except ConfigError as e:
        error = str(e)
    n_params = None
    if cfg is not None:
        n_params, build_error = count_params(cfg.to_json())
        error = error or (TEXT["params_error"].format(error=build_error) if build_error else None)
    params_slot.metric(TEXT["params"], f"{n_params:,}" if n_params else "–", help=TEXT["params_help"])
    if error:
        st.error(TEXT["invalid"].format(error=error), icon=":material/error:")

    name = st.text_input(TEXT["name"], placeholder=TEXT["name_placeholder"], key="train_name")
    go = st.button(TEXT["launch"], type="primary", disabled=error is not None, icon=":material/rocket_launch:",
                   key="train_launch")
    if go and cfg is not None and error is None:
        ids = ui.launch_once([cfg], [name.strip() or None])
        if ids is None:
            st.info(TEXT["double"])
        else:
            st.toast(TEXT["launched"].format(ids=", ".join(f"#{i}" for i in ids)))
            ui.open_page("pages/live.py", ids)


def race() -> None:
    st.caption(TEXT["race_intro"])
    archs = st.multiselect(TEXT["race_archs"], list(ARCHS), default=["cnn", "rnn", "transformer"],
                           format_func=lambda a: ARCHS[a].title, key="race_archs")
    c1, c2, c3, c4 = st.columns(4)
    dataset = c1.selectbox(TEXT["dataset"], list(DATASETS), format_func=lambda d: DATASETS[d].title,
                           key="race_dataset")
    unit = c2.radio(TEXT["race_budget"], ("epochs", "steps", "minutes"), format_func=lambda u: TEXT["race_" + u],
                    horizontal=True, key="race_unit")
    limits = {"epochs": (1000, 3), "steps": (1_000_000, 500), "minutes": (600, 2)}[unit]
    amount = c3.number_input(TEXT["race_amount"], min_value=1, max_value=limits[0],
                             value=limits[1], step=1, key=f"race_amount_{unit}")
    seed = c4.number_input(TEXT["race_seed"], min_value=0, max_value=2**31 - 1, value=0, step=1, key="race_seed")
    budget = {"epochs": {"epochs": int(amount), "max_steps": 0},
              "steps": {"epochs": 1000, "max_steps": int(amount)},
              "minutes": {"epochs": 1000, "max_steps": 0, "max_minutes": float(amount)}}[unit]

    configs, error = [], None
    try:
        configs = [make_config(a, dataset, seed=int(seed), **budget) for a in archs]
    except ConfigError as e:
        error = str(e)
    if error:
        st.error(TEXT["invalid"].format(error=error), icon=":material/error:")
    if len(archs) < 2:
        st.info(TEXT["race_pick"])
    if st.button(TEXT["race_launch"], type="primary", disabled=len(archs) < 2 or error is not None,
                 icon=":material/sports_score:", key="race_go"):
        group = TEXT["race_name"].format(time=time.strftime("%Y-%m-%d %H:%M:%S"))
        ids = ui.launch_once(configs, [f"{a} ({group})" for a in archs], group=group)
        if ids is None:
            st.info(TEXT["double"])
        else:
            ui.open_page("pages/live.py", ids)


def queue() -> None:
    st.subheader(TEXT["queue"])
    s = ui.store()
    active = s.list_runs(status=views.ACTIVE)
    if not active:
        st.caption(TEXT["queue_empty"])
        return
    df = views.runs_frame(s, active)
    st.dataframe(
        df[["name", "status", "arch", "progress", "step", "created"]], hide_index=True, width="stretch",
        column_config={
            "name": TEXT["col_name"], "status": TEXT["col_status"], "arch": TEXT["col_arch"],
            "progress": st.column_config.ProgressColumn(TEXT["col_progress"], min_value=0.0, max_value=1.0,
                                                        format="percent"),
            "step": TEXT["col_step"],
            "created": st.column_config.DatetimeColumn(TEXT["col_created"], format="HH:mm:ss"),
        },
    )
    if st.button(TEXT["queue_open"], icon=":material/monitoring:", key="queue_open"):
        ui.open_page("pages/live.py", [r.id for r in active if r.status != "queued"] or [r.id for r in active])


def main() -> None:
    st.title(TEXT["title"])
    s = ui.store()
    if views.run_count(s) == 0:
        ui.first_run_hint()
    st.caption(TEXT["intro"])
    tab_one, tab_race = st.tabs([TEXT["tab_one"], TEXT["tab_race"]])
    with tab_one:
        one_run()
    with tab_race:
        race()
    st.divider()
    queue()


ui.page(main)
