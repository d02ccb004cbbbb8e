"""English words with no home in the code: the human label of every parameter, by its code name.

Pages show a label with the code name kept visible, "Learning rate (lr)", so a student who
reads the course's listings finds the same names.
"""

LABELS = {
    # common to every architecture
    "epochs": "Epochs", "max_steps": "Step limit", "max_minutes": "Time limit in minutes",
    "batch_size": "Batch size", "optimizer": "Optimizer", "lr": "Learning rate",
    "lr_schedule": "Learning-rate schedule", "warmup": "Warm-up steps", "momentum": "Momentum",
    "weight_decay": "Weight decay", "grad_clip": "Gradient clipping", "seed": "Random seed",
    "log_every": "Gradient records every", "eval_every": "Evaluation every", "sample_every": "Grids every",
    "quality_every": "Quality figures every", "checkpoint_every": "Checkpoint every",
    # architectures' own
    "channels": "Channels", "kernel_size": "Kernel size", "hidden": "Hidden units", "dropout_conv": "Convolution dropout",
    "dropout": "Dropout", "batch_norm": "Batch normalisation",
    "cell": "Recurrent cell", "layers": "Layers", "bidirectional": "Bidirectional",
    "lr_g": "Generator learning rate", "lr_d": "Discriminator learning rate", "beta1": "Adam beta1",
    "latent_dim": "Noise size", "label_smoothing": "Label smoothing", "instance_noise": "Instance noise",
    "tokens": "Tokens", "d_model": "Embedding size", "nhead": "Attention heads", "nhid": "Feed-forward size",
    "nlayers": "Encoder layers", "causal": "Causal mask",
    "width": "Width", "activation": "Activation function",
    "T": "Noising steps", "schedule": "Noise schedule", "patch": "Pixel folding", "blocks": "Residual blocks",
    "attention": "Attention", "min_snr": "Min-SNR weighting", "ema_decay": "EMA decay",
    "sample_steps": "Sampling steps", "sampler": "Sampler", "temperature": "Sampling temperature",
    "clip_x0": "Clip x0", "variance": "Sampling variance",
    # merged later: data, CNN/RNN variants, GAN variants, conditional diffusion, language models
    "l1": "L1 penalty", "precision": "Number precision", "probe_digit": "Probe digit", "init": "Weight initialisation",
    "block": "Second convolution block", "dilation": "Dilation", "downsample": "Downsampling",
    "read": "Reading direction", "readout": "Read-out", "forget_bias": "Forget-gate bias",
    "init_state": "Initial hidden state", "beta2": "Adam beta2", "g_width": "Generator width", "d_augment": "Discriminator augmentation", "info_codes": "InfoGAN codes", "clusters": "Self-conditioning clusters", "info_weight": "InfoGAN code weight",
    "d_width": "Discriminator width", "d_norm": "Discriminator normalisation",
    "separate_batches": "Separate minibatches", "loss": "Game loss", "g_steps": "Generator steps",
    "projection": "Projection discriminator", "n_critic": "Critic steps", "gp_lambda": "Gradient penalty weight",
    "model": "Noise predictor", "conditional": "Conditional", "p_uncond": "Label dropout",
    "guidance": "Guidance scale", "eta": "DDIM eta", "ninp": "Embedding size", "objective": "Training objective",
    "mask_share": "Masked share",
    # a classifier's data practices and transfer learning (config.CLASSIFIER)
    "val_split": "Validation share", "classes": "Classes", "per_class": "Labelled examples per class",
    "patience": "Early-stopping patience", "aug_shift": "Augmentation: shift (px)",
    "aug_rotate": "Augmentation: rotation (degrees)", "aug_elastic": "Augmentation: elastic warp (px)",
    "aug_erase": "Augmentation: erasing probability", "init_from": "Start from run", "freeze": "Frozen layers",
    "fresh": "Fresh layers", "unfreeze_after": "Unfreeze after (epochs)",
    # a generated task's settings (deeparch.course.tasks)
    "distance": "Recall distance", "length": "Sequence length", "digits": "Digits per number",
    "reverse": "Sum written backwards", "examples": "Training sequences",
}

# the human label of each value of a knob with choices, by knob then value (pages show "Cosine decay (cosine)":
# the stored value stays visible, as the command line takes it); a value missing here shows as itself
CHOICES = {
    "optimizer": {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"},
    "lr_schedule": {"constant": "Constant", "cosine": "Cosine decay"},
    "precision": {"fp32": "32-bit float", "bf16": "bfloat16", "fp16": "16-bit float", "auto": "Automatic"},
    "activation": {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU"},
    "init": {"default": "PyTorch's default", "he": "He (Kaiming)", "glorot": "Glorot (Xavier)",
             "dcgan": "DCGAN's N(0, 0.02)"},
    "block": {"plain": "Plain convolution, as in the course", "residual": "ResNet residual block",
              "inception": "Inception block"},
    "downsample": {"maxpool": "Max-pooling, as in the course", "stride": "Stride-2 convolution"},
    "cell": {"lstm": "LSTM", "gru": "GRU", "rnn": "Plain RNN"},
    "read": {"columns": "Columns, left to right, as in the course", "rows": "Rows, top to bottom"},
    "readout": {"last": "Last hidden state", "attention": "Attention over the time steps"},
    "init_state": {"zero": "Zeros", "learned": "Learned"},
    "d_norm": {"batch": "Batch normalisation", "layer": "Layer normalisation", "none": "None"},
    "loss": {"bce": "Binary cross-entropy, as in the course", "hinge": "Hinge"},
    "tokens": {"rows": "Image rows", "patches": "7×7 patches", "vit": "ViT: patches and a class token"},
    "model": {"unet": "U-Net", "course": "The course's three convolutions"},
    "schedule": {"linear": "Linear", "cosine": "Cosine", "quadratic": "Quadratic", "log": "Logarithmic"},
    "sampler": {"ancestral": "Ancestral (DDPM)", "ddim": "DDIM"},
    "variance": {"beta_tilde": "Posterior β̃", "beta": "β"},
    "objective": {"gpt": "GPT: the next token", "bert": "BERT: masked tokens"},
}
