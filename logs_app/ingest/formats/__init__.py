"""One module per log format; each has an is_<format> test and a read_run(document) that returns a Run."""
