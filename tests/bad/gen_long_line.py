"""Writes one 100 MB record to stdout (csv or jsonl), so the suite need not commit it.

The record's model name is 100 MB long: the reader must hold it once, the
"did you mean" search must not be quadratic in it, and the message must quote
a readable excerpt (cases that raise --max-line-bytes); at the default limit
of 64 MiB the line is a rejected record, read past without being held.
"""
import sys

SIZE = 100 * 1000 * 1000
out = sys.stdout.buffer
if sys.argv[1] == "csv":
    out.write(b"timestamp,model,input_tokens,output_tokens\n2026-01-05T09:00:00Z,")
    out.write(b"m" * SIZE)
    out.write(b",100,20\n")
else:
    out.write(b'{"model":"')
    out.write(b"m" * SIZE)
    out.write(b'","usage":{"prompt_tokens":100,"completion_tokens":20}}\n')
