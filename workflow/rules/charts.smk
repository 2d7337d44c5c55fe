# render_paper does not wait for the charts (the print HTML links them); only the PDF, the screen
# HTML and the check, which read them, do. Its own process (surveypaper.warm), so that it draws on
# the other core while the Snakemake process renders the text and WeasyPrint lays it out; started
# early by common.smk, so that matplotlib is imported while the responses are read. The PNG copies
# (for the DOCX) are drawn from the same figures after the SVGs, while WeasyPrint still lays out.
rule draw_charts:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        font=TEMPLATES / "fonts/LiberationSerif-Regular.ttf",  # its widths place the labels
        code=pkg("pipeline", "project", "charts", "rounds", "numerals", "publish", "questionnaire", "steps", "warm"),
    output:
        svg=directory(CHARTS_DIR),
        png=directory(CHART_IMAGES_DIR),
    log:
        f"{BUILD}/logs/draw_charts.log",
    run:
        from surveypaper import steps, warm

        warm.call(
            steps.CHARTS,
            input.stats,
            input.questionnaire,
            output.svg,
            TEMPLATES / "fonts",
            output.png,
            timeout=config["charts_timeout"],
            what="drawing the charts",
        )
