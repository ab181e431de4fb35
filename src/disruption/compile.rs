//! Disruptions: supplier outages (Markov and scheduled) and transport delays.: compile.
