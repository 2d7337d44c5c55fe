# Off the critical path: render_paper does not wait for the charts (the print HTML links them);
# only the PDF and the screen HTML, which show them, do. Its own process (surveypaper.warm), so
# that it draws on the other core while the Snakemake process checks and renders the text; the
# onstart hook of common.smk starts it early, so matplotlib is imported while responses are read.
rule draw_charts:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        font=TEMPLATES / "fonts/LiberationSerif-Regular.ttf",  # its widths place the labels
        code=pkg("pipeline", "charts", "questionnaire", "warm"),
    output:
        directory(f"{BUILD}/charts"),
    log:
        f"{BUILD}/logs/draw_charts.log",
    run:
        from surveypaper import pipeline, warm

        warm.call(pipeline.CHARTS, input.stats, input.questionnaire, output[0], TEMPLATES / "fonts",
                  timeout=config["charts_timeout"], what="drawing the charts")
