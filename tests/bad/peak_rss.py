"""peak_rss.py FILE CMD...: runs CMD with this process's stdin/stdout/stderr,
writes its peak resident memory in MB to FILE, and exits with its status
(128+N when killed by signal N, as a shell would)."""
import resource
import subprocess
import sys

status = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024))
sys.exit(128 - status if status < 0 else status)
