# One-page State profiles, output/profiles/<ISO3>.pdf: `snakemake --cores all profiles`, not in the
# default build. A real fan-out: PROFILE_BATCHES jobs (config profile_batches, else one per core),
# each rendering in a process of its own (`python -m surveypaper.profiles`) that imports WeasyPrint
# once for its States: the profile's force-use-threads runs `run:` blocks as threads of the
# Snakemake process, where the batches would take turns on one interpreter lock; the thread only
# waits for its process. On a cluster each batch is one job (profiles/slurm). The batch
# count is in the file name, so a job run elsewhere renders the batch it was given.
PROFILE_BATCHES = int(config.get("profile_batches") or max(1, workflow.cores or 1))
PROFILES_DIR = f"{BUILD}/profiles"
# The profiles deleted by hand make the stamp stale, so the next run publishes them again.
if Path(f"{PROFILES_DIR}/published.stamp").exists() and not any(Path(f"{OUT}/profiles").glob("*.pdf")):
    Path(f"{PROFILES_DIR}/published.stamp").unlink()


rule profile_batch:
    input:
        responses=f"{BUILD}/responses.json",
        questionnaire=RAW / "questionnaire.yaml",
        states=RAW / "states.yaml",
        themes=RAW / "themes.yaml",
        paper=TEMPLATES / "paper.yaml",
        templates=PROFILE_TEMPLATE_FILES,
        code=pkg("profiles", "site", "pdf", "pipeline", "project", "states", "questionnaire"),
    output:
        directory(f"{PROFILES_DIR}/batch-{{batch}}-of-{{batches}}"),
    log:
        f"{BUILD}/logs/profile_batch-{{batch}}-of-{{batches}}.log",
    resources:
        mem_mb=1000,
        runtime=30,
    run:
        from surveypaper import pipeline

        pipeline.profile_batch(RAW, TEMPLATES, input.responses, output[0], wildcards, log[0])


# Publishes every batch's PDFs into output/profiles/, file by file: a profile whose bytes did not
# change keeps its mtime; the profile of a State no longer in the data is removed.
rule profiles:
    input:
        expand(f"{PROFILES_DIR}/batch-{{batch}}-of-{PROFILE_BATCHES}", batch=range(PROFILE_BATCHES)),
    output:
        touch(f"{PROFILES_DIR}/published.stamp"),
    log:
        f"{BUILD}/logs/profiles.log",
    run:
        from surveypaper import pipeline

        pipeline.publish_profiles(input, f"{OUT}/profiles")
