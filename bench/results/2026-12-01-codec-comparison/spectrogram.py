#!/usr/bin/env python3
"""spectrogram.py OUT.png WAV [SECONDS]: a log-mel spectrogram (Hann 2048, hop 512, 128 HTK mel
bands, 80 dB range) of the first SECONDS of a mono or stereo 16-bit/float WAV, as a PNG written
with numpy and zlib alone (time left to right, low frequencies at the bottom)."""
import struct, sys, wave, zlib
import numpy as np

def read(path):
    with open(path, "rb") as f:
        data = f.read()
    # minimal RIFF walk: fmt and data chunks
    pos, fmt, raw = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            raw = body
        pos += 8 + size + (size & 1)
    tag, ch, rate, _, _, bits = fmt
    x = np.frombuffer(raw, dtype=np.float32 if tag == 3 or (tag == 0xFFFE and bits == 32) else np.int16)
    x = x.astype(np.float64) / (1 if x.dtype == np.float32 else 32768)
    return x.reshape(-1, ch).mean(1), rate

def main(out, path, seconds=None):
    x, sr = read(path)
    if seconds: x = x[: int(float(seconds) * sr)]
    n, hop, bands = 2048 * sr // 44100 * 2 // 2, 512 * sr // 44100, 128
    n = max(n, 512); hop = max(hop, 128)
    win = np.hanning(n + 1)[:-1]
    frames = np.stack([x[i:i + n] * win for i in range(0, max(1, len(x) - n), hop)])
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    mel = lambda f: 2595 * np.log10(1 + f / 700)
    imel = lambda m: 700 * (10 ** (m / 2595) - 1)
    pts, freqs = imel(np.linspace(0, mel(sr / 2), bands + 2)), np.fft.rfftfreq(n, 1 / sr)
    fb = np.array([np.maximum(0, np.minimum((freqs - pts[b]) / (pts[b + 1] - pts[b]), (pts[b + 2] - freqs) / (pts[b + 2] - pts[b + 1]))) for b in range(bands)])
    db = 10 * np.log10(power @ fb.T + 1e-12)
    db = np.clip((db - (db.max() - 80)) / 80, 0, 1).T[::-1]          # [bands, frames], low at the bottom
    img = np.repeat(np.repeat(db, 3, axis=0), max(1, 900 // db.shape[1]), axis=1)
    # a dark-blue → yellow map
    r = np.clip(1.5 * img - 0.2, 0, 1); g = np.clip(1.2 * img ** 1.2, 0, 1); b = np.clip(0.6 - 0.6 * img + 0.4 * img ** 4, 0, 1)
    rgb = (np.stack([r, g, b], axis=2) * 255).astype(np.uint8)
    h, w, _ = rgb.shape
    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    open(out, "wb").write(png)

if __name__ == "__main__":
    main(*sys.argv[1:])
