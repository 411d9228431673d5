#!/usr/bin/env python3
"""Draws the extension icon (a brick firewall on a dark tile) as a 128x128 PNG, without image libraries."""
import struct, zlib, sys

W = H = 128
bg, brick, mortar, edge = (30, 41, 59, 255), (234, 88, 12, 255), (30, 41, 59, 255), (0, 0, 0, 0)

def pixel(x, y):
    r = 20  # rounded corners
    cx = min(max(x, r), W - 1 - r); cy = min(max(y, r), H - 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return edge
    if 24 <= y < 104 and 16 <= x < 112:
        row = (y - 24) // 16
        off = 12 if row % 2 else 0
        in_row = (y - 24) % 16
        col_x = (x - 16 + off) % 24
        if in_row < 2 or col_x < 2:
            return mortar
        return brick
    return bg

rows = b''.join(b'\x00' + b''.join(struct.pack('BBBB', *pixel(x, y)) for x in range(W)) for y in range(H))

def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)

png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b'')
open(sys.argv[1] if len(sys.argv) > 1 else 'images/icon.png', 'wb').write(png)
