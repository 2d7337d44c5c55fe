rule compute_stats:
    input:
        responses=f"{BUILD}/responses.json",
        questionnaire=RAW / "questionnaire.yaml",
        themes=RAW / "themes.yaml",
        code=pkg("pipeline", "project", "stats", "rounds", "questionnaire"),
    output:
        f"{BUILD}/stats.json",
    log:
        f"{BUILD}/logs/compute_stats.log",
    run:
        from surveypaper import pipeline

        pipeline.compute_stats(input.responses, input.questionnaire, input.themes, output[0])
