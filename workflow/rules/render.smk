# The text first: the Markdown and the print HTML need the stats, not the drawn charts (the print
# HTML links output/.build/charts/*.svg, which only render_pdf loads). The self-contained screen
# HTML, which inlines the SVGs, is made beside the PDF once the charts exist.
rule render_paper:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        templates=TEMPLATE_FILES,
        code=pkg("pipeline", "render", "charts", "templating", "template_errors", "filters", "context", "questionnaire", "states"),
    output:
        markdown=f"{BUILD}/working_paper.md",
        print_html=f"{BUILD}/working_paper.print.html",
    log:
        f"{BUILD}/logs/render_paper.log",
    run:
        from surveypaper import pipeline

        pipeline.render_step(input.stats, RAW, TEMPLATES, f"{BUILD}/charts", output.markdown, output.print_html)


rule render_html:
    input:
        markdown=f"{BUILD}/working_paper.md",
        charts=f"{BUILD}/charts",
        templates=TEMPLATE_FILES,
        code=pkg("pipeline", "render"),
    output:
        f"{BUILD}/working_paper.html",
    log:
        f"{BUILD}/logs/render_html.log",
    run:
        from surveypaper import pipeline

        pipeline.screen_step(input.markdown, TEMPLATES, input.charts, output[0])


# Its own process (surveypaper.warm), started by the onstart hook of common.smk so that WeasyPrint
# is imported while the charts are drawn; a runaway layout is stopped after pdf_timeout.
rule render_pdf:
    input:
        print_html=f"{BUILD}/working_paper.print.html",
        charts=f"{BUILD}/charts",
        templates=TEMPLATE_FILES,
        code=pkg("render", "pipeline", "warm"),
    output:
        f"{BUILD}/working_paper.pdf",
    log:
        f"{BUILD}/logs/render_pdf.log",
    run:
        from surveypaper import pipeline, warm

        warm.call(pipeline.PDF, input.print_html, output[0], TEMPLATES, [input.charts],
                  timeout=config["pdf_timeout"], what="the PDF render")
