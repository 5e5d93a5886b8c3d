#!/usr/bin/env python3
"""Checks that a PNG (8-bit RGB/RGBA, as Chromium writes) is a real picture:
at least MIN_COLOURS distinct colours and at least MIN_SHARE of its pixels
differ from the most common (background) colour. Standard library only.
usage: png_check.py FILE [MIN_COLOURS] [MIN_SHARE]"""
import struct, sys, zlib
from collections import Counter

path = sys.argv[1]
min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 8
min_share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG")
pos, idat, header = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
width, height, depth, colour_type, _, _, interlace = header
if depth != 8 or colour_type not in (2, 6) or interlace:
    sys.exit(f"{path}: unsupported PNG layout (depth {depth}, colour type {colour_type})")
bpp = 3 if colour_type == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
previous = bytearray(stride)
counts = Counter()
for y in range(height):
    kind = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):  # undo the PNG row filter
        a = line[i - bpp] if i >= bpp else 0
        b = previous[i]
        c = previous[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + a) & 255
        elif kind == 2:
            line[i] = (line[i] + b) & 255
        elif kind == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 2 == 0:  # every other row is plenty, and twice as fast
        counts.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp * 2))
    previous = line
total = sum(counts.values())
background = counts.most_common(1)[0][1]
share = 1 - background / total
print(f"{path}: {width}x{height}, {len(counts)} colours, {share:.1%} non-background pixels")
if len(counts) < min_colours or share < min_share:
    sys.exit(f"{path}: looks blank")
