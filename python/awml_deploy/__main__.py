"""`python -m awml_deploy ...` runs the CLI."""

import sys

from awml_deploy.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
