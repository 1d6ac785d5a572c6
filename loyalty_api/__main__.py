"""``python -m loyalty_api``: the ``loyalty-api`` command without its console script."""

from loyalty_api.cli import main

if __name__ == "__main__":
    main()
