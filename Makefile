# Shortcuts for the scripts in scripts/. Each one is safe to repeat.
.PHONY: run stop shell test bench lint

run:    ## install, train if needed, start the bot
	bash scripts/run.sh
stop:   ## stop the bot
	bash scripts/stop.sh
shell:  ## chat with the running bot in the terminal
	bash scripts/shell.sh
test:   ## every check and test (what CI runs)
	bash scripts/test.sh
lint:
	.venv/bin/ruff check .
