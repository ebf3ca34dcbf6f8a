"""``python -m kfitcompat``."""

from .cli import main

raise SystemExit(main())
