rule publish_outputs:
    input:
        markdown=f"{BUILD}/working_paper.md",
        html=f"{BUILD}/working_paper.html",
        provenance=f"{BUILD}/provenance.json",
        pdf=f"{BUILD}/working_paper.pdf",
        docx=f"{BUILD}/working_paper.docx",
        stats=f"{BUILD}/stats.json",
        checked=f"{BUILD}/templates_checked.stamp",
        charts=CHARTS_DIR,
        data=DATA_DIR,
        site=SITE_DIR,
        images=CHART_IMAGES_DIR,
        code=pkg("pipeline", "publish"),
    output:
        touch(PUBLISHED),
    log:
        f"{BUILD}/logs/publish_outputs.log",
    run:
        from surveypaper import pipeline

        files = {
            "working_paper.md": input.markdown,
            "working_paper.html": input.html,
            "working_paper.pdf": input.pdf,
            "working_paper.docx": input.docx,
            "stats.json": input.stats,
            "provenance.json": input.provenance,
        }
        pipeline.publish_outputs(
            files, input.charts, OUT, {"data": input.data, "site": input.site, "chart_images": input.images}
        )
