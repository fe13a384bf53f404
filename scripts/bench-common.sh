# Helpers the benchmark scripts share; sourced, not run.

# Seconds and peak resident kilobytes of a command, as "S KB".
timed() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
