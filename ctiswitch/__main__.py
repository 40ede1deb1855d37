"""``python -m ctiswitch``: the same command line as the ``ctiswitch`` script."""
from ctiswitch.cli import main

raise SystemExit(main())
