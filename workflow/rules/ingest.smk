rule ingest_responses:
    input:
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        themes=RAW / "themes.yaml",
        responses=RESPONSE_FILES,
        code=pkg("ingest", "yamlio", "errors", "questionnaire", "states"),
    output:
        f"{BUILD}/responses.json",
    log:
        f"{BUILD}/logs/ingest_responses.log",
    script:
        "../scripts/ingest_responses.py"
