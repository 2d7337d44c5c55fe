# `paper check` inside the build: the templates must agree with the data before render_paper runs.
# Its output is a stamp; render_paper depends on it (see workflow/rules/render.smk).
rule check_templates:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        templates=TEMPLATE_FILES,
        code=pkg("pipeline", "checks", "lint", "templating", "template_errors", "filters", "context", "states"),
    output:
        touch(f"{BUILD}/templates_checked.stamp"),
    log:
        f"{BUILD}/logs/check_templates.log",
    run:
        from surveypaper import pipeline

        pipeline.check_step(input.stats, RAW, TEMPLATES, log[0])
