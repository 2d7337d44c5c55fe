# The working paper, from raw responses to HTML, PDF and Markdown. Run: snakemake --cores all
# Everything specific to a paper lives in raw/ and templates/; the engine is workflow/surveypaper/.
from snakemake.utils import min_version

min_version("9.0")


configfile: "workflow/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/stats.smk"
include: "workflow/rules/charts.smk"
include: "workflow/rules/check.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/render.smk"
include: "workflow/rules/site.smk"
include: "workflow/rules/publish.smk"
include: "workflow/rules/profiles.smk"


# The light steps run where Snakemake runs, also when the others go to a cluster (profiles/slurm).
localrules:
    ingest_responses,
    compute_stats,
    render_paper,
    render_html,
    check_templates,
    render_site,
    publish_outputs,
    profiles,


rule all:
    default_target: True
    input:
        PUBLISHED,
