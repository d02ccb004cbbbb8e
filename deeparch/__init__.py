"""deeparch: train the five architectures of the course, watch them learn, compare them."""
__version__ = "0.1.0"
