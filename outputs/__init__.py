"""Writers of every output file: report.json, angles.csv, the PDF, the annotated video, the history."""
