"""``python -m clustersim``: the same command line as ``clustersim``."""

import sys

from clustersim.experiments.cli import main

sys.exit(main())
