"""surveypaper: questionnaire responses in, a reproducible policy paper out."""
