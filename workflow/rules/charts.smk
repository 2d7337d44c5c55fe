rule draw_charts:
    input:
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        code=pkg("charts", "questionnaire"),
    output:
        directory(f"{BUILD}/charts"),
    log:
        f"{BUILD}/logs/draw_charts.log",
    script:
        "../scripts/draw_charts.py"
