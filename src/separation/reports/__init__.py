"""Reports for the Council and the public: built from aggregates, rendered as HTML, PDF and CSV."""
