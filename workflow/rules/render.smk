rule render_paper:
    input:
        stats=f"{BUILD}/stats.json",
        charts=f"{BUILD}/charts",
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        checked=f"{BUILD}/templates_checked.stamp",
        templates=TEMPLATE_FILES,
        code=pkg("render", "templating", "template_errors", "filters", "context", "questionnaire", "states"),
    output:
        markdown=f"{BUILD}/working_paper.md",
        html=f"{BUILD}/working_paper.html",
        print_html=f"{BUILD}/working_paper.print.html",
    params:
        templates=str(TEMPLATES),
    log:
        f"{BUILD}/logs/render_paper.log",
    script:
        "../scripts/render_paper.py"


rule render_pdf:
    input:
        print_html=f"{BUILD}/working_paper.print.html",
        charts=f"{BUILD}/charts",
        templates=TEMPLATE_FILES,
        code=pkg("render"),
    output:
        f"{BUILD}/working_paper.pdf",
    params:
        templates=str(TEMPLATES),
        timeout=config["pdf_timeout"],
    log:
        f"{BUILD}/logs/render_pdf.log",
    script:
        "../scripts/render_pdf.py"
