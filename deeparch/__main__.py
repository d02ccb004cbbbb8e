import sys

from deeparch.cli import main

sys.exit(main())
