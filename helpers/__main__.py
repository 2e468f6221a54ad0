"""``python -m helpers``: the post's complete example (see helpers/cli.py and ``--help``)."""

import sys

from helpers.cli import main

sys.exit(main())
