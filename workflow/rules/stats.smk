rule compute_stats:
    input:
        responses=f"{BUILD}/responses.json",
        questionnaire=RAW / "questionnaire.yaml",
        themes=RAW / "themes.yaml",
        code=pkg("pipeline", "stats", "questionnaire"),
    output:
        f"{BUILD}/stats.json",
    log:
        f"{BUILD}/logs/compute_stats.log",
    run:
        from surveypaper import pipeline

        pipeline.stats_step(input.responses, input.questionnaire, input.themes, output[0])
