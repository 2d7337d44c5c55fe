rule compute_stats:
    input:
        responses=f"{BUILD}/responses.json",
        questionnaire=RAW / "questionnaire.yaml",
        themes=RAW / "themes.yaml",
        code=pkg("stats", "questionnaire"),
    output:
        f"{BUILD}/stats.json",
    log:
        f"{BUILD}/logs/compute_stats.log",
    script:
        "../scripts/compute_stats.py"
