"""aggregator: fetch RSS/Atom feeds politely, deduplicate into SQLite, republish one merged feed."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/aggregator-project/aggregator"
