from orgsim.cli import app

app()
