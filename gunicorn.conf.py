"""How gunicorn serves the console. gunicorn reads this file from the directory it starts in;
scripts/serve, bench/load.py and the tests start it from here. Flags on the command line win."""

# gthread, shedding phone requests that waited too long for a thread (copsite/serving.py).
worker_class = "copsite.serving.SheddingWorker"
workers = 2
threads = 4
