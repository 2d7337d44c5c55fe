# The data behind the paper (output/data/: responses.csv, figures.csv, datapackage.json and
# working_paper_data.xlsx), beside the PDF: nothing of the paper waits for it, publishing does. In
# the Snakemake process (no pandas: the csv module and XlsxWriter); a low priority, so that when
# more steps are ready than cores it waits for those the text and the PDF need.
rule write_data:
    input:
        responses=f"{BUILD}/responses.json",
        stats=f"{BUILD}/stats.json",
        questionnaire=RAW / "questionnaire.yaml",
        paper=TEMPLATES / "paper.yaml",
        code=pkg("pipeline", "project", "opendata", "table", "questionnaire", "publish"),
    output:
        directory(DATA_DIR),
    log:
        f"{BUILD}/logs/write_data.log",
    priority: -10
    run:
        from surveypaper import pipeline

        pipeline.write_data(input.responses, input.stats, RAW, TEMPLATES, output[0])
