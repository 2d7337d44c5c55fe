# `paper check` inside the build: the templates must agree with the data, and with the charts as
# drawn (Annex III's text is checked too), before anything is published. It gates publish_outputs,
# not the render: the text and the PDF are made beside it, and a finding stops the build before
# output/ is touched. Waiting for the charts also keeps it off the PDF's critical path: it runs
# while WeasyPrint writes the paper, on the core the charts have just left.
rule check_templates:
    input:
        stats=f"{BUILD}/stats.json",
        charts=CHARTS_DIR,
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        templates=CHECKED_TEMPLATE_FILES,
        code=pkg(
            "pipeline",
            "project",
            "checks",
            "lint",
            "numerals",
            "compat_jinja",
            "templating",
            "template_errors",
            "filters",
            "printing",
            "context",
            "states",
        ),
    output:
        touch(f"{BUILD}/templates_checked.stamp"),
    log:
        f"{BUILD}/logs/check_templates.log",
    run:
        from surveypaper import pipeline

        pipeline.check_templates(input.stats, input.charts, RAW, TEMPLATES, log[0])
