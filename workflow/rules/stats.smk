# Its own process (surveypaper.warm), started while Snakemake builds its DAG: pandas' import overlaps
# that and the reading of the responses instead of delaying the text, the charts and the PDF.
rule compute_stats:
    input:
        responses=f"{BUILD}/responses.json",
        questionnaire=RAW / "questionnaire.yaml",
        themes=RAW / "themes.yaml",
        regions=REGIONS,
        paper=TEMPLATES / "paper.yaml",  # the round reported and the one compared with
        code=pkg(
            "pipeline", "project", "stats", "table", "regions", "rounds", "numerals", "questionnaire", "steps", "warm"
        ),
    output:
        f"{BUILD}/stats.json",
    log:
        f"{BUILD}/logs/compute_stats.log",
    run:
        from surveypaper import steps, warm

        warm.call(
            steps.STATS,
            input.responses,
            input.questionnaire,
            input.themes,
            output[0],
            REGIONS[0] if REGIONS else None,
            input.paper,
            timeout=config["stats_timeout"],
            what="the statistics",
        )
