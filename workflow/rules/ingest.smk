# In the Snakemake process (run:, see profiles/default): validating and parsing YAML needs no
# interpreter of its own. The log says what each header of a survey-tool export was matched to.
rule ingest_responses:
    input:
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        themes=RAW / "themes.yaml",
        responses=RESPONSE_FILES,
        code=pkg("pipeline", "project", "ingest", "headers", "yamlio", "errors", "questionnaire", "states"),
    output:
        f"{BUILD}/responses.json",
    log:
        f"{BUILD}/logs/ingest_responses.log",
    run:
        from surveypaper import pipeline

        pipeline.ingest_responses(RAW, output[0], log[0])
