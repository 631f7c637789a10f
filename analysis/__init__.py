"""The analysis service: a source (file, track, or the live coach's frames) in, one typed result out."""
