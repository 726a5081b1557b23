"""ExaBGP API process for the anyvip interop harness.

ExaBGP runs this as its `process`. It bridges two files the harness uses:
  argv[1]  a FIFO: each line written to it is an API command, passed to ExaBGP (stdout)
  argv[2]  a JSON Lines file: every message ExaBGP sends us (stdin) is appended to it
The FIFO is opened read-write so it never reaches end-of-file when a writer closes it.
The process exits when ExaBGP closes our stdin.
"""
import os
import sys
import threading

fifo_path, events_path = sys.argv[1], sys.argv[2]


def pump_commands():
    with os.fdopen(os.open(fifo_path, os.O_RDWR), "r") as commands:
        for line in commands:
            sys.stdout.write(line)
            sys.stdout.flush()


threading.Thread(target=pump_commands, daemon=True).start()

with open(events_path, "a", buffering=1) as events:
    for message in sys.stdin:
        events.write(message)
