"""Command-line interface (`awml-deploy`)."""
