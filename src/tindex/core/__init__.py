"""The analysis, organised by capability, over the index model: ranking, changes,
comparison, profiles and provenance. Pure functions from a Model to Tables and Profiles;
nothing here prints or knows how a result will be shown."""
