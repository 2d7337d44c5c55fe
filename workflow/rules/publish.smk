rule publish_outputs:
    input:
        markdown=f"{BUILD}/working_paper.md",
        html=f"{BUILD}/working_paper.html",
        pdf=f"{BUILD}/working_paper.pdf",
        stats=f"{BUILD}/stats.json",
        charts=f"{BUILD}/charts",
        code=pkg("publish"),
    output:
        touch(PUBLISHED),
    params:
        out=OUT,
    log:
        f"{BUILD}/logs/publish_outputs.log",
    script:
        "../scripts/publish_outputs.py"
