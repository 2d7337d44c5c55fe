# The static site (output/site/): Jinja only, in the Snakemake process, beside the PDF. It needs
# the paper's Markdown (the passages citing each State) and the drawn charts, which the PDF waits
# for too, and ends long before WeasyPrint does. A low priority: when more steps are ready than
# cores (the charts just drawn), the PDF, the screen HTML and the check go first, so that the site
# stays off the PDF's critical path.
rule render_site:
    input:
        responses=f"{BUILD}/responses.json",
        stats=f"{BUILD}/stats.json",
        markdown=f"{BUILD}/working_paper.md",
        charts=CHARTS_DIR,
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        themes=RAW / "themes.yaml",
        templates=SITE_TEMPLATE_FILES,
        code=pkg("pipeline", "project", "site", "markdown_html", "filters", "states"),
    output:
        directory(SITE_DIR),
    log:
        f"{BUILD}/logs/render_site.log",
    priority: -10
    run:
        from surveypaper import pipeline

        pipeline.render_site(input.responses, input.stats, input.markdown, input.charts, RAW, TEMPLATES, output[0])
