"""``python -m cleanup`` runs the ``attio-cleanup`` command line."""

from cleanup.cli import main

main()
