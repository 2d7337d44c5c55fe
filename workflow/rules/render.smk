# The text first: the Markdown and the print HTML need the stats, not the drawn charts (the print
# HTML links output/.build/charts/*.svg, which only render_pdf loads). The self-contained screen
# HTML, which inlines the SVGs, is made beside the PDF once the charts exist.
# Once the print HTML is written, the PDF's process (if this build started one) lays it out: the
# charts' sizes are known from the stats, and the charts themselves are only needed when the PDF
# is written, by which time render_pdf has been called (surveypaper.pdf.layout_pdf).
rule render_paper:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        templates=TEMPLATE_FILES,
        code=pkg(
            "pipeline",
            "project",
            "markdown_html",
            "document",
            "charts",
            "rounds",
            "numerals",
            "templating",
            "template_errors",
            "compat_jinja",
            "filters",
            "printing",
            "context",
            "questionnaire",
            "states",
            "fonts",
            "steps",
            "warm",
        ),
    output:
        markdown=f"{BUILD}/working_paper.md",
        print_html=f"{BUILD}/working_paper.print.html",
    log:
        f"{BUILD}/logs/render_paper.log",
    run:
        from surveypaper import steps

        steps.render_paper(
            input.stats,
            RAW,
            TEMPLATES,
            CHARTS_DIR,
            output.markdown,
            output.print_html,
            pdf_timeout=config["pdf_timeout"],
        )


# The screen HTML marks each computed value with its template expression (data-expr) and lists
# them in provenance.json: the templates are rendered once more for it, beside the PDF.
rule render_html:
    input:
        markdown=f"{BUILD}/working_paper.md",
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        charts=CHARTS_DIR,
        templates=TEMPLATE_FILES,
        code=pkg(
            "pipeline",
            "project",
            "markdown_html",
            "document",
            "provenance",
            "templating",
            "filters",
            "context",
        ),
    output:
        html=f"{BUILD}/working_paper.html",
        provenance=f"{BUILD}/provenance.json",
    log:
        f"{BUILD}/logs/render_html.log",
    run:
        from surveypaper import pipeline

        pipeline.render_html(
            input.markdown,
            TEMPLATES,
            input.charts,
            output.html,
            stats_json=input.stats,
            raw_dir=RAW,
            provenance_out=output.provenance,
        )


# Its own process (surveypaper.warm), started by the onstart hook of common.smk so that WeasyPrint
# is imported while the responses are read; a runaway layout is stopped after pdf_timeout. The log
# says whether the layout made ahead (see render_paper) was used.
rule render_pdf:
    input:
        print_html=f"{BUILD}/working_paper.print.html",
        charts=CHARTS_DIR,
        responses=f"{BUILD}/responses.json",
        templates=TEMPLATE_FILES,
        code=pkg(
            "pdf",
            "compat_weasyprint",
            "publish",
            "document",
            "markdown_html",
            "pipeline",
            "steps",
            "warm",
            "fonts",
            "errors",
        ),
    output:
        f"{BUILD}/working_paper.pdf",
    log:
        f"{BUILD}/logs/render_pdf.log",
    run:
        from surveypaper import steps, warm

        warm.call(
            steps.PDF,
            input.print_html,
            output[0],
            TEMPLATES,
            [input.charts],
            log[0],
            input.responses,
            timeout=config["pdf_timeout"],
            what="the PDF render",
        )


# The Word document, beside the PDF: pandoc (a process of its own, about 0.2 s) reads the Markdown and
# the charts' PNG copies while WeasyPrint lays the paper out; the Snakemake process only waits.
rule render_docx:
    input:
        markdown=f"{BUILD}/working_paper.md",
        charts=CHARTS_DIR,
        images=CHART_IMAGES_DIR,
        templates=TEMPLATE_FILES,
        reference=REFERENCE_DOCX,
        code=pkg("pipeline", "project", "docx", "document", "markdown_html") + [f"{PKG}/docx.lua"],
    output:
        f"{BUILD}/working_paper.docx",
    log:
        f"{BUILD}/logs/render_docx.log",
    run:
        from surveypaper import pipeline

        pipeline.render_docx(input.markdown, TEMPLATES, input.charts, input.images, output[0])
