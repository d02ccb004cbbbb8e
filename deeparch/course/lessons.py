"""Ready lessons and "break it" scenarios: sets of runs a teacher launches with one click.

A lesson is a set of runs (architecture, dataset and the settings that make its point), a
short script of what to watch and in which order, and the questions to ask the class. A
"break it" scenario is a lesson of two runs, one healthy and one broken on purpose, with the
symptom the broken one shows, named by its key in ``deeparch.engine.diagnose`` so a test can check
that the diagnostics in words really see it.

What a lesson is and how it launches (``Lesson``, ``LessonRun``: a run may start from an earlier run's
weights) is ``deeparch.course.lesson``; this file is the catalog.

Words here are the English catalog of the lessons; a translation replaces them by the
lesson's id and the field's name, without touching any logic. Plain data: no torch.
"""
from __future__ import annotations

from deeparch.course.archs.rnn import RECALL_SETTINGS
from deeparch.course.lesson import GROUP_PREFIX, PENDING, Lesson, LessonRun

__all__ = ["ALL", "BREAK_IT", "BY_ID", "GROUP_PREFIX", "LESSONS", "PENDING", "Lesson", "LessonRun", "lesson_of"]


def lesson_of(group_name: str | None) -> Lesson | None:
    """The lesson whose launch made a run group, or None."""
    if not group_name or not group_name.startswith(GROUP_PREFIX):
        return None
    return BY_ID.get(group_name[len(GROUP_PREFIX):].split(" ", 1)[0])


# eight layers (1024 units, each next half as wide), no dropout: deep enough that sigmoids shrink the
# gradient reaching the first layer some 10^5 times (ReLU: 92% in 10 epochs, sigmoid: 10%, measured)
_DEEP = {"optimizer": "adam", "lr": 1e-3, "layers": 8, "width": 1024, "dropout": 0.0, "epochs": 10}

# the transfer lesson's target task: digits 5-9 from 10 labelled images each (60 steps of 50 images); the
# gradients are recorded every 5 steps, so the per-layer chart has a dozen columns instead of three
_FEW_SHOT = {"classes": "5-9", "per_class": 10, "epochs": 60, "log_every": 5}
# the Transformer's fine-tune in two stages (LP-FT, Kumar et al., 2022): the new output layer learns alone on
# the loaded encoder for its first 20 epochs, then everything learns. A random new head otherwise sends noise
# into the encoder at the first steps. Measured with `python -m deeparch train --arch transformer --threads 2`
# on two pre-trainings, eight tries (README, Data practices): +16.9 points over from scratch on average, at
# least +11.6; fine-tuning everything from the first step +14.2 on average
_LP_FT = {"fresh": "head", "freeze": "embed,encoder", "unfreeze_after": 20}
_GAN_3MIN = {"epochs": 1000, "max_minutes": 3.0}
# the Machado lesson: a character LSTM and the course's Transformer LM on Dom Casmurro, 5 minutes each, the
# same windows of 64 characters and sampling temperature (bench/bench_text.py measures these settings against
# the bigram baseline and the words of the novel; docs/benchmarks.md, "Text (Machado de Assis)")
_MACHADO = {"epochs": 1000, "max_minutes": 5.0, "seq_len": 64, "temperature": 0.5, "batch_size": 32,
            "lr": 3e-3, "grad_clip": 1.0}
_MACHADO_LSTM = {**_MACHADO, "cell": "lstm", "hidden": 256, "layers": 1, "state_reset": 50}
_MACHADO_LM = {**_MACHADO, "ninp": 128, "nhead": 4, "nhid": 256, "nlayers": 2, "warmup": 20}
# sunspots, 20-year windows, 4 rolling-origin folds of 20 years (tested on 1929-2008): small models, 60 epochs of
# 9 steps, each run's 4 fold models side by side. `python -m deeparch lesson sunspots` (two at a time, load 6-8): the
# last run ended 2.0 min after the launch; test MAE LSTM 11.1, GRU 11.1, Transformer 14.1, naive 24.3 (benchmarks)
_SUNSPOTS = {"window": 20, "folds": 4, "fold_size": 20, "epochs": 60, "batch_size": 32}
_SUNSPOT_RNN = {**_SUNSPOTS, "hidden": 32, "layers": 1, "lr": 3e-3}

# ---- lessons --------------------------------------------------------------------------------------
LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "race", "The five architectures side by side", "the course's five architectures",
        "The same 4,000 digits, five ways of learning from them: a CNN and an RNN that read digits, a "
        "Transformer that reads rows as tokens, a GAN and a diffusion model that learn to draw them. The "
        "diffusion model starts first, since it needs the longest; the classifiers then take turns beside it, "
        "and the GAN comes last.",
        # two runs train at once on 2 cores: diffusion holds one core (5 min of training; its grids at 50
        # sampling steps and its 500 judged samples only at the end, since each quality pass costs minutes
        # on one core), the classifiers (each to its engine floor) and then the GAN share the other. Measured
        # with the dashboard open on Live (bench/bench_lesson.py): the last run ended 13.1 min after the
        # click (diffusion, 0.95 recognisable; CNN 4.2 min 97.1%, RNN 4.8 94.6%, Transformer 7.7 93.9%,
        # DCGAN 13.0 0.59; at 6 min of diffusion training the last ended at 15.2). Stop 23, the DCGAN
        # self-conditioned: the last ended 12.1 min after the click, DCGAN 11.2 min 0.834, diffusion 0.978
        (LessonRun("Diffusion", "diffusion", {"epochs": 1000, "max_minutes": 5.0, "sample_steps": 50,
                                              "quality_every": 1_000_000}),
         LessonRun("CNN", "cnn", {"epochs": 10}),
         LessonRun("RNN (LSTM)", "rnn", {"epochs": 15}),
         LessonRun("Transformer", "transformer", {"epochs": 15}),
         LessonRun("GAN (DCGAN)", "dcgan", {"epochs": 1000, "max_minutes": 5.0})),
        (("Start on Live with the three classifiers: which accuracy rises fastest, and why does the CNN "
          "need fewer steps?"),
         "Open the GAN: its two losses fight; the samples go from noise to strokes.",
         "Open the diffusion model: its loss falls smoothly, and its samples come late but clean.",
         "End on Compare: the headline of each run, and the time each took."),
        ("Which architecture would you pick to read digits on a phone, and why?",
         "Why can't we compare a GAN and a CNN by accuracy?",
         "What does the diffusion model pay for its better samples?"),
        15.0),
    Lesson(
        "cnn_vs_mlp", "CNN against a plain network (MLP)", "convolutional networks",
        "A convolution reuses one small filter all over the image; a fully connected layer has a weight from "
        "every input to every unit. Same data, same epochs, three networks: the course's CNN, the same CNN "
        "with 32 hidden units instead of 128, and an MLP. The course's CNN has the most weights (1,625,866), "
        "but its filters hold only 18,816 of them: the rest is its dense layer from 12,544 features to 128 "
        "units. With 32 units the CNN has 420,586 weights, fewer than the MLP's 535,818, and still reads "
        "digits better.",
        # measured with `python -m deeparch train --arch cnn --epochs 5 --hidden 32 --threads 1 --seed S` and the
        # same for mlp: test accuracy at best validation 95.7% / 95.4% (seeds 0 / 1) against the MLP's 90.8% / 91.1%
        (LessonRun("CNN (course listing)", "cnn", {"epochs": 5}),
         LessonRun("CNN, 32 hidden units", "cnn", {"epochs": 5, "hidden": 32}),
         LessonRun("MLP", "mlp", {"epochs": 5})),
        ("Watch the three accuracy curves on Live: which rise faster, which end higher?",
         "Look at the gap between train and test accuracy of each.",
         "Open 'The model itself' under each CNN on Live: the layer classifier.1 (12,544 → 128 or → 32) holds "
         "almost all its weights; the convolutions under features hold few.",
         "On Compare, read the number of weights and the accuracy of each: the small CNN beats the MLP with fewer "
         "weights."),
        ("Why does sharing a filter over the whole image help?",
         "Where would you cut weights in the course's CNN without touching its filters?",
         "Which model would still work if the digits were shifted by a few pixels?"),
        5.0),
    Lesson(
        "learning_rate", "Learning rate too high, too low, about right", "optimization: the learning rate",
        "The same network with three learning rates: too small crawls, too large explodes, the middle one learns.",
        (LessonRun("lr 0.1 (about right)", "mlp", {"optimizer": "sgd", "lr": 0.1, "epochs": 5}),
         LessonRun("lr 0.001 (too low)", "mlp", {"optimizer": "sgd", "lr": 0.001, "epochs": 5}),
         LessonRun("lr 1 (too high)", "mlp", {"optimizer": "sgd", "lr": 1.0, "epochs": 5})),
        ("On Live, the loss of lr 1: it shoots up in a few steps and the run stops as diverged.",
         "The loss of lr 0.001: it falls, but so slowly that 5 epochs are not enough.",
         "The gradient-norm chart of each: the exploding one grows by decades."),
        ("What would you try after a diverged run?", "Why not always use a tiny learning rate to be safe?"),
        1.0),
    Lesson(
        "vanishing", "Vanishing gradients in a deep sigmoid network", "vanishing gradients",
        "Eight sigmoid layers squash the gradient at every layer: the layers near the input barely learn. "
        "ReLU keeps it alive.",
        (LessonRun("ReLU, 8 layers", "mlp", _DEEP),
         LessonRun("sigmoid, 8 layers", "mlp", {**_DEEP, "activation": "sigmoid"})),
        ("Open the per-layer gradient heat map of each run: compare the top rows (input side).",
         "The sigmoid run's loss stays at 2.30: the network guesses.",),
        ("Why does the sigmoid shrink the gradient at every layer?", "Which course remedies do you know?"),
        1.0),
    Lesson(
        "gan_balance", "The GAN game: balance, and a discriminator that wins", "GAN training",
        "Two players learn against each other. With equal learning rates the game stays balanced for a while; with "
        "a discriminator learning ten times faster than the generator, it wins at once: the generator's gradient "
        "does not fade, but its small steps cannot keep up.",
        (LessonRun("balanced", "gan", {"epochs": 1000, "max_minutes": 3.0}),
         LessonRun("D 10× faster", "gan", {"epochs": 1000, "max_minutes": 3.0, "lr_g": 2e-5})),
        ("On Live, D(x) and D(G(z)): near 0.5 is a balanced game; D(x)→1, D(G(z))→0 is a winning discriminator.",
         "The two players' losses: which one runs to 0?",
         "G's gradient norm in each run: the winning discriminator does not make it fade.",
         "The samples and the class histogram: are all ten digits drawn?"),
        ("What does the generator learn from a discriminator that is always right?", "How would you rebalance?"),
        6.0),
    Lesson(
        "gan_groups", "Why a GAN draws blends, and what telling it a group does", "GANs: conditional GAN",
        "One generator turns random noise into all ten digits; somewhere between a 4 and a 9 in its noise it "
        "draws shapes that are neither, and no one can read them. Three runs of the same DCGAN: alone; told "
        "which of 20 groups of look-alike real digits to draw, groups the lab found by their pixels without "
        "any label (self-conditioning); and told the digit itself (the course's conditional GAN).",
        (LessonRun("DCGAN alone", "dcgan", {**_GAN_3MIN, "clusters": 0}),
         LessonRun("DCGAN told a group (no labels)", "dcgan", _GAN_3MIN),
         LessonRun("cGAN told the digit", "cgan", _GAN_3MIN)),
        ("On Compare, the sample grids side by side: the lone DCGAN draws more shapes between two digits.",
         "The quality chart of each: the share of samples the judge is sure of (recognisability), and class "
         "coverage: all ten digits still drawn?",
         "The middle run's view 'What each group draws': each group's average real digit on top, what the "
         "generator draws for it below; a group that holds a 4 and a 9 gets mostly whole 4s and 9s, few blends."),
        ("The groups were found without labels: why do they help anyway?",
         "What does the conditional GAN need that the other two do not, and what can you do with it?"),
        # bench/bench_lesson.py --lesson gan_groups, alone on the 2 cores: the last run ended 6.3 min after the
        # click; recognisability: DCGAN alone 0.444, told a group 0.832, cGAN 0.934 (README: Lessons)
        7.0),
    Lesson(
        "diffusion", "Diffusion: from noise to digits", "diffusion models",
        "The model learns to remove a little noise at a time; sampling runs that in reverse from pure noise.",
        (LessonRun("DDPM", "diffusion", {"epochs": 1000, "max_minutes": 5.0}),),
        ("The loss: it falls fast, then slowly; it never reaches 0 because the noise is random.",
         "The samples from fixed noise at each grid: blobs, then strokes, then digits.",
         "The quality figures: recognisability and coverage rise together."),
        ("Why does sampling take many steps?", "What does the timestep tell the network?"),
        6.0),
    Lesson(
        "recall", "Vanishing gradients through time: plain RNN against LSTM", "recurrent networks: LSTM and GRU",
        "Both read a digit, 100 blanks, then a question mark, and must answer the digit. The plain RNN's "
        "gradient fades over the gap and it stays near chance (10%); the LSTM, its forget gate open at the "
        "start (forget_bias 3), carries the digit in its cell.",
        (LessonRun("plain RNN", "rnn", {**RECALL_SETTINGS, "cell": "rnn", "epochs": 1000, "max_minutes": 3.0},
                   "recall"),
         LessonRun("LSTM", "rnn", {**RECALL_SETTINGS, "cell": "lstm", "forget_bias": 3.0, "epochs": 1000,
                                   "max_minutes": 3.0}, "recall")),
        ("The accuracy of each: the LSTM jumps to 100% within a few hundred steps, the plain RNN stays at 10%.",
         "The gradient through time of each: the plain RNN's curve falls by many decades towards the first steps.",
         "The hidden-state paths (PCA): the LSTM's paths split by digit and stay apart until the end."),
        ("Why does multiplying by the same matrix 100 times shrink the gradient?",
         "Which part of the LSTM lets the digit's memory through unchanged?"),
        4.0),
    Lesson(
        "machado", "LSTM vs Transformer writing Machado", "recurrent networks and Transformers: text generation",
        "A character LSTM and the course's Transformer language model read the first 90% of Dom Casmurro, "
        "one window of 64 characters at a time, and learn to predict each next character. Both are scored on "
        "the last 10% of the novel, which they never see, against a bigram model (the next character from the "
        "current one alone); at each grid both continue the novel's first words. The LSTM carries what it read "
        "in its hidden state, step by step, and from one batch to the next; the Transformer looks back at every "
        "earlier character of the window through attention.",
        (LessonRun("LSTM", "rnn", _MACHADO_LSTM, "machado"),
         LessonRun("Transformer", "lm", _MACHADO_LM, "machado")),
        ("The loss chart of each: when does the held-out loss cross the dotted bigram line?",
         "The generated text at each grid: random letters, then spaces and short words, then Portuguese words "
         "and punctuation.",
         "The share of generated words found in the novel: which model is first past 80%?",
         "The Transformer's attention maps: which earlier characters does a position look at?"),
        ("What does the bigram model know, and what must a model learn to beat it?",
         "Why is the last 10% of the novel held out whole, instead of random windows?",
         "What does the sampling temperature change in the generated text, and what not in the loss?",
         "Which model would you pick for a much longer context, and why?"),
        6.0),
    Lesson(
        "transfer", "Transfer learning: digits 0–4 help with digits 5–9", "transfer learning",
        "A network learns digits 0 to 4 from all their training images. A second one starts from its "
        "weights (a new output layer for the new digits) and learns digits 5 to 9 from only 10 labelled "
        "images of each; a third learns the same 50 images from scratch. All of it twice: with the course CNN "
        "(its convolutions frozen) and with the Transformer (first its new output layer learns alone for 20 "
        "epochs, on the features it was given, then all of it). The CNN's convolutions "
        "already expect strokes anywhere in the picture, so it learns 5 to 9 well even from scratch and gains "
        "a few points; the Transformer expects nothing of a picture and gains more from what it saw of 0 to 4. "
        "Each fine-tune waits in the queue until its pre-training has finished.",
        (LessonRun("CNN pre-train: digits 0–4", "cnn", {"classes": "0-4", "epochs": 3}),
         LessonRun("CNN fine-tune: 5–9, 10 labels each", "cnn", {**_FEW_SHOT, "freeze": "features",
                                                                 "fresh": "classifier.4"}, starts_from=0),
         LessonRun("CNN from scratch: 5–9, 10 labels each", "cnn", _FEW_SHOT),
         LessonRun("Transformer pre-train: digits 0–4", "transformer", {"classes": "0-4", "epochs": 60}),
         LessonRun("Transformer fine-tune: 5–9, 10 labels each", "transformer",
                   {**_FEW_SHOT, **_LP_FT}, starts_from=3),
         LessonRun("Transformer from scratch: 5–9, 10 labels each", "transformer", _FEW_SHOT)),
        ("The two pre-trainings first: each reads digits 0–4 almost perfectly.",
         "Then each pair on digits 5–9: which one's accuracy starts higher, and which ends higher?",
         "The Transformer fine-tune's gradient chart: only its output layer learns for 20 epochs, then the "
         "encoder's layers join in.",
         "End on Compare: how many points each architecture gains from its pre-training."),
        ("What did the frozen convolutions learn on 0–4 that still helps on 5–9?",
         "Why does the Transformer gain more from pre-training than the CNN?",
         "When would starting from another task's weights not help?"),
        # bench/bench_lesson.py --lesson transfer, alone on the 2 cores: all six ended 5.6 min after the click;
        # CNN 85.2% fine-tuned against 82.0% from scratch (+3.2), Transformer 78.2% against 58.4% (+19.8; it was
        # 68.2%, +9.8, fine-tuning everything from the first step). README: +16.9 on average over eight tries
        6.0),
    Lesson(
        "augment", "Overfitting on few labels, and what augmentation does", "regularization: data augmentation",
        "Two CNNs learn from the same 100 labelled images per digit. One sees them as they are and soon "
        "knows them by heart (training accuracy near 100%, validation far below); the other sees each one "
        "shifted and rotated a little at every step, so it must learn the digit, not the picture.",
        (LessonRun("100 per class, no augmentation", "cnn", {"per_class": 100, "epochs": 30}),
         LessonRun("100 per class, shifts and rotations", "cnn", {"per_class": 100, "epochs": 30,
                                                                  "aug_shift": 2.0, "aug_rotate": 12.0})),
        ("The accuracy chart of each: the gap between the train and validation curves.",
         "The loss chart: the validation loss of the first run turns up while its training loss keeps falling."),
        ("Why does a shifted 7 still count as a 7 for the network?", "What else besides augmentation fights overfitting?"),
        6.0),
    Lesson(
        "cnn_variants", "CNN variants: batch norm, residual, Inception, dilated, strided", "CNN architectures",
        "The course CNN and its variants on the same data, seed and budget: batch normalisation, a residual "
        "(ResNet) block, an Inception block, dilated convolutions, and a stride-2 convolution instead of "
        "max-pooling. Compare their accuracy, their speed and their number of weights.",
        tuple(LessonRun(f"cnn {name}", "cnn", {"epochs": 5, **hp}) for name, hp in (
            ("plain", {}), ("batch norm", {"batch_norm": True}), ("residual", {"block": "residual"}),
            ("inception", {"block": "inception"}), ("dilated", {"dilation": 2}),
            ("strided", {"downsample": "stride"}))),
        ("On Compare: the headline accuracy of each, and its training time.",
         "On Live: the loss curves in the first epoch: which variant starts fastest?"),
        ("What does a residual connection let the gradient do?", "Why would a strided convolution be cheaper?"),
        12.0),
    Lesson(
        "sunspots", "Forecasting sunspots: LSTM, GRU, Transformer and the naive forecast",
        "sequences: forecasting with sliding windows and temporal cross-validation",
        "309 years of sunspot counts (1700–2008). Each model reads a sliding window of 20 years and forecasts "
        "the next one. Temporal cross-validation with a rolling origin: four folds, each trained only on the "
        "years before its origin and tested on the next 20 years, so no model ever sees the future it is "
        "tested on. An LSTM, a GRU and a Transformer, against the naive forecast (next year equals this year), "
        "by their mean absolute error on the test folds.",
        (LessonRun("LSTM", "rnn", {**_SUNSPOT_RNN, "cell": "lstm"}, "sunspots"),
         LessonRun("GRU", "rnn", {**_SUNSPOT_RNN, "cell": "gru"}, "sunspots"),
         LessonRun("Transformer", "transformer", {**_SUNSPOTS, "d_model": 32, "nhead": 4, "nhid": 64, "nlayers": 2},
                   "sunspots")),
        ("On Live, the mean absolute error of each run against the dashed naive forecast: how soon does each "
         "model get below it?",
         "The view 'Forecast vs truth': early on the forecasts are flat; then they follow the 11-year cycle. "
         "Look at the peaks: the naive forecast is always one year late.",
         "End on Compare: the test MAE of the three models and the naive forecast's, side by side."),
        ("Why may a fold's training windows never contain a year of its test block, not even as an input?",
         "Why is each fold scaled with the statistics of its own training years only?",
         "When would the naive forecast be hard to beat?"),
        3.0),
)

# ---- break it ----------------------------------------------------------------------------------------
BREAK_IT: tuple[Lesson, ...] = (
    Lesson(
        "break_lr", "Learning rate 10× too high", "optimization: the learning rate",
        "The same network, with a learning rate ten times the one that works: the loss explodes.",
        (LessonRun("healthy: lr 0.1", "mlp", {"optimizer": "sgd", "lr": 0.1, "epochs": 3}),
         LessonRun("broken: lr 1", "mlp", {"optimizer": "sgd", "lr": 1.0, "epochs": 3})),
        ("The broken run's loss and gradient norm shoot up within a few steps; it stops as diverged.",),
        ("How would you have found the right learning rate?",),
        1.0, symptoms=("loss_diverging", "loss_nonfinite"), broken=1),
    Lesson(
        "break_sigmoid", "Sigmoid activations in a deep network", "vanishing gradients",
        "Eight sigmoid layers instead of ReLU: the gradient reaching the first layers is thousands of times "
        "smaller than at the last one.",
        (LessonRun("healthy: ReLU", "mlp", _DEEP),
         LessonRun("broken: sigmoid", "mlp", {**_DEEP, "activation": "sigmoid"})),
        ("The per-layer gradient heat map: the first rows of the broken run are dark.",),
        ("Why does ReLU not have this problem (as much)?",),
        1.0, symptoms=("grad_spread", "grad_vanishing_layer"), broken=1),
    Lesson(
        "break_gan", "Discriminator learning rate 10× the generator's", "GAN training",
        "The discriminator learns ten times faster than the generator (the generator's rate cut tenfold, the "
        "discriminator's unchanged) and wins the game: it tells every fake apart. The generator's gradient does not "
        "fade (the non-saturating loss keeps it), but its small steps cannot keep up with the discriminator.",
        (LessonRun("healthy: equal rates", "gan", {"epochs": 1000, "max_minutes": 0.0, "max_steps": 800}),
         LessonRun("broken: lr_g ÷ 10", "gan", {"epochs": 1000, "max_minutes": 0.0, "max_steps": 800, "lr_g": 2e-5})),
        ("D(x) climbs to 1 and D(G(z)) sinks to 0 within a few hundred steps in the broken run; in the healthy run "
         "they stay apart from those ends. G's gradient norm does not fade in either run.",),
        ("If the generator's gradient does not fade, why do its samples not improve?",),
        1.5, symptoms=("d_winning_grad", "d_winning"), broken=1),
    Lesson(
        "break_overfit", "No regularization on 50 labels per class", "overfitting",
        "An MLP with dropout and augmentation beside the same MLP with neither, both on 50 labelled images "
        "per digit: the second learns its 500 images by heart, and its validation loss turns up.",
        (LessonRun("healthy: dropout + augmentation", "mlp", {"per_class": 50, "epochs": 60, "dropout": 0.5,
                                                              "aug_shift": 2.0, "aug_rotate": 12.0}),
         LessonRun("broken: no regularization", "mlp", {"per_class": 50, "epochs": 60, "dropout": 0.0})),
        ("The broken run's validation loss turns up while its training loss keeps falling.",),
        ("Which curve would you watch to stop training at the right time?",),
        1.0, symptoms=("overfitting",), broken=1),
    Lesson(
        "break_diffusion", "The course's three-convolution diffusion model", "diffusion models",
        "The U-Net beside the course listing's three convolutions, trained the same way: without a timestep "
        "embedding or a path that sees the whole image, the toy draws blotches, never digits.",
        (LessonRun("healthy: U-Net", "diffusion", {"epochs": 1000, "max_minutes": 3.0}),
         LessonRun("broken: course listing", "diffusion", {"epochs": 1000, "max_minutes": 3.0, "model": "course",
                                                             "conditional": False, "guidance": 1.0})),
        ("The samples of each; the judge Fréchet distance: the toy's stays far above the U-Net's.",),
        ("What does the network need to know to remove the right amount of noise?",),
        7.0, symptoms=("not_digits", "no_digits"), broken=1),
)

ALL: tuple[Lesson, ...] = LESSONS + BREAK_IT
BY_ID: dict[str, Lesson] = {lesson.id: lesson for lesson in ALL}
