# Shortcuts for the scripts in scripts/. Each one is safe to repeat.
.PHONY: run stop shell test bench bench-quick lint

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
bench:  ## benchmarks, separate from the tests (~12 min); writes docs/benchmarks.md
	bash scripts/bench.sh
bench-quick:  ## a change's own check (~7 min): fewer requests, no truevoice; .run/bench/benchmarks.md
	BENCH_QUICK=1 bash scripts/bench.sh

# ---- staff tools (python -m bot.admin; guide in Thai: docs/staff_guide.md) ----
ADMIN = .venv/bin/python -m bot.admin
.PHONY: admin-help answers unanswered report validate train reload teach edit-answer export-csv import-csv

admin-help:  ## every staff command, with help in Thai and English
	$(ADMIN) --help
answers:     ## list the answers (keys = intent names)
	$(ADMIN) list answers
unanswered:  ## questions the bot could not answer, grouped, newest first
	$(ADMIN) unanswered
report:      ## 👍/👎 per intent with unanswered counts
	$(ADMIN) report
validate:    ## rasa data validate + project checks (file:line: problem)
	$(ADMIN) validate
train:       ## regenerate lookups, check, train only if the data changed
	$(ADMIN) train
reload:      ## restart the running bot on the new model (conversations kept)
	$(ADMIN) reload
teach:       ## make teach TEXT="ประโยค" INTENT=intent_name
	$(ADMIN) teach "$(TEXT)" "$(INTENT)"
edit-answer: ## make edit-answer KEY=bizportal_contact FILE=new_text.txt
	$(ADMIN) edit answer "$(KEY)" --from-file "$(FILE)"
export-csv:  ## make export-csv OUT=folder
	$(ADMIN) export --format csv --out "$(OUT)"
import-csv:  ## make import-csv DIR=folder
	$(ADMIN) import --format csv "$(DIR)"
