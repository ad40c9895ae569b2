"""`python -m flowc.runtime`: see flowc.runtime.cli."""

import sys

from flowc.runtime.cli import main

sys.exit(main())
