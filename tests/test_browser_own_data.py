"""A teacher's own images, in a real browser: a zip of 3 classes × 30 digits from mnist-5k's test split is
uploaded on Train and imported under a name; the CNN and the DCGAN train a few steps on it, and Live shows
each (the DCGAN's quality view says its judge is the set's own)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, says, serving, settle, shows  # noqa: F401
from own_images import digit_members, zip_of
from waiting import until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]


def title(arch: str) -> str:
    from deeparch.course.archs import ARCHS

    return ARCHS[arch].title


def launch(page, runs: Path, arch: str) -> int:
    """Pick ``arch`` on Train (the dataset field keeps the imported set), cap it at 4 steps, launch; the run's id."""
    from deeparch.store import Store

    box = page.get_by_role("combobox", name="Architecture", exact=True)
    if box.input_value() != title(arch):  # choosing the architecture shown asks for no rerun
        with rerun(page):
            box.click()
            page.get_by_role("option", name=title(arch), exact=True).click()
    expect(page.get_by_role("combobox", name="Dataset", exact=True)).to_have_value("tres (your images)")
    from deeparch.present.i18n import param_label

    steps = page.get_by_label(param_label("max_steps"), exact=True)
    with rerun(page):
        steps.fill("4")
        steps.press("Enter")
    before = {r.id for r in Store(runs).list_runs()}
    with rerun(page, 60_000):
        page.get_by_role("button", name="Launch run").click()
    shows(page, "Live")
    return until(lambda: [r.id for r in Store(runs).list_runs() if r.id not in before], 60, f"the {arch} run")[0]


def finished(runs: Path, run_id: int, timeout_s: float = 180):
    from deeparch.store import Store

    return until(lambda: (r := Store(runs).get_run(run_id)).status in ("finished", "failed") and r, timeout_s,
                 f"run {run_id} ending")


def test_a_teacher_uploads_a_zip_of_digits_and_trains_a_cnn_and_a_dcgan_on_it(tmp_path, browser):
    root = tmp_path / "data"
    root.mkdir()
    shared = Path(os.environ["DEEPARCH_DATA"]) / "mnist-5k.pt"
    if shared.exists():
        (root / "mnist-5k.pt").symlink_to(shared)
    upload = zip_of(digit_members((3, 5, 8), 30), tmp_path / "digitos.zip")
    runs = tmp_path / "runs"
    with serving(runs, {"DEEPARCH_DATA": str(root)}) as (base, _):
        page = new_page(browser, viewport={"width": 1400, "height": 1000})
        page.goto(base + "/")
        settle(page, 90_000)
        page.get_by_text("Your own images", exact=True).click()  # an expander opens in the browser: no rerun
        says(page, "784 pixel values")
        page.locator("input[type=file]").set_input_files(str(upload))
        says(page, "digitos.zip")  # the uploader lists the file once it has reached the server
        name = page.get_by_role("textbox", name="Name of the dataset")
        with rerun(page):
            name.fill("tres")
            name.press("Enter")
        expect(page.get_by_role("button", name="Import")).to_be_enabled()
        with rerun(page, 240_000):  # the set's judge trains meanwhile: seconds, more on a loaded machine
            page.get_by_role("button", name="Import").click()
        says(page, "Imported tres: 3 classes, 72 training and 18 test images")
        assert sorted(os.listdir(root / "imported" / "tres")) == ["data.pt", "judge-v2.pt", "meta.json"]
        says(page, "Your images: 3, 5, 8")

        cnn = launch(page, runs, "cnn")  # the two runs train at once (two slots), as a teacher would start them
        with rerun(page, 60_000):
            page.get_by_role("link", name="Train").click()
        dcgan = launch(page, runs, "dcgan")
        run = finished(runs, cnn)
        assert run.status == "finished" and run.dataset == "tres", run.reason
        cnn_name = run.name
        run = finished(runs, dcgan)
        assert run.status == "finished" and "coverage" in run.summary, run.reason
        says(page, run.name)  # Live shows the run it opened on
        says(page, "Judged by a classifier trained on this dataset's own training images", 90_000)
        page.goto(f"{base}/live?runs={cnn}")
        settle(page)
        says(page, cnn_name)
        says(page, "tres")  # its dataset, under its name
