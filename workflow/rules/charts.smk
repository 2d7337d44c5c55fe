# Off the critical path: render_paper does not wait for the charts (the print HTML links them);
# only the PDF and the screen HTML, which show them, do. Its own process: see the script.
rule draw_charts:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        font=TEMPLATES / "fonts/LiberationSerif-Regular.ttf",  # its widths place the labels
        code=pkg("pipeline", "charts", "questionnaire"),
        script="workflow/scripts/draw_charts.py",
    output:
        directory(f"{BUILD}/charts"),
    log:
        f"{BUILD}/logs/draw_charts.log",
    shell:
        "{PYTHON:q} {input.script:q} {input.stats:q} {input.questionnaire:q} {output:q} --fonts {TEMPLATES:q}/fonts"
