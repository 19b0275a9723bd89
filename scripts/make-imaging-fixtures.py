#!/usr/bin/env python3
"""Builds fixtures/imaging/: OpenCV references for resize, JET and overlays, and a zoo of PNG/JPEG
files (valid and broken) with their expected 8-bit RGB pixels.

Expected pixels for PNGs are computed from the source arrays (palette expanded, gray replicated,
16-bit -> high byte, alpha dropped), not by another decoder. JPEG expectations come from Pillow's
decoder and are compared with a tolerance.
Usage: pip install numpy opencv-python-headless pillow pypng && python3 scripts/make-imaging-fixtures.py
"""
import struct
import zlib
import json
import pathlib

import cv2
import numpy as np
import png  # pypng: writes interlaced and 16-bit PNGs
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "imaging"
CODECS = OUT / "codecs"


def photo_like(rng, h, w):
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([
        128 + 100 * np.sin(xx / 7.0) * np.cos(yy / 11.0),
        128 + 90 * np.cos((xx + yy) / 9.0),
        60 + 3.0 * xx % 180,
    ], axis=-1)
    base += rng.normal(0, 6, size=base.shape)
    return np.clip(base, 0, 255).astype(np.uint8)


def resize_cases(rng):
    cases = []
    for (sh, sw), (dh, dw) in [((7, 7), (224, 224)), ((7, 7), (300, 451)), ((20, 20), (72, 96)),
                               ((13, 17), (5, 9)), ((80, 80), (37, 101)), ((1, 5), (4, 11)), ((9, 1), (20, 3))]:
        src = rng.random((sh, sw), dtype=np.float32)
        dst = cv2.resize(src, (dw, dh), interpolation=cv2.INTER_LINEAR)
        name = f"resize_{sh}x{sw}_to_{dh}x{dw}"
        np.save(OUT / f"{name}.src.npy", src)
        np.save(OUT / f"{name}.dst.npy", dst.astype(np.float32).reshape(dh, dw))
        cases.append(name)
    return cases


def overlay_reference(img_rgb, mask, heat_weight):
    heat = cv2.applyColorMap(np.uint8(255 * mask), cv2.COLORMAP_JET)
    heat = np.float32(cv2.cvtColor(heat, cv2.COLOR_BGR2RGB)) / 255
    img = np.float32(img_rgb) / 255
    cam = np.float32(heat_weight) * heat + np.float32(1 - heat_weight) * img
    cam = cam / np.max(cam)
    return np.uint8(255 * cam)


def write_png(path, rows, width, height, **kw):
    with open(path, "wb") as f:
        png.Writer(width, height, **kw).write(f, [np.ascontiguousarray(r).tolist() for r in rows])


def codec_zoo(rng):
    CODECS.mkdir(parents=True, exist_ok=True)
    h, w = 23, 31
    rgb = photo_like(rng, h, w)
    expected = {}

    write_png(CODECS / "rgb8.png", rgb.reshape(h, -1), w, h, greyscale=False)
    expected["rgb8.png"] = rgb
    rgba = np.concatenate([rgb, rng.integers(0, 256, (h, w, 1), dtype=np.uint8)], axis=-1)
    write_png(CODECS / "rgba8.png", rgba.reshape(h, -1), w, h, greyscale=False, alpha=True)
    expected["rgba8.png"] = rgb
    gray = rgb[:, :, 1]
    write_png(CODECS / "gray8.png", gray, w, h, greyscale=True)
    expected["gray8.png"] = np.repeat(gray[:, :, None], 3, axis=-1)
    ga = np.stack([gray, 255 - gray], axis=-1)
    write_png(CODECS / "gray_alpha8.png", ga.reshape(h, -1), w, h, greyscale=True, alpha=True)
    expected["gray_alpha8.png"] = np.repeat(gray[:, :, None], 3, axis=-1)
    rgb16 = rgb.astype(np.uint16) * 257 + rng.integers(0, 200, rgb.shape).astype(np.uint16)
    write_png(CODECS / "rgb16.png", rgb16.reshape(h, -1), w, h, greyscale=False, bitdepth=16)
    expected["rgb16.png"] = (rgb16 >> 8).astype(np.uint8)
    gray4 = (gray >> 4).astype(np.uint8)
    write_png(CODECS / "gray4.png", gray4, w, h, greyscale=True, bitdepth=4)
    expected["gray4.png"] = np.repeat((gray4 * 17)[:, :, None], 3, axis=-1)
    palette = [tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(16)]
    idx = rng.integers(0, 16, (h, w)).astype(np.uint8)
    write_png(CODECS / "palette4.png", idx, w, h, palette=palette, bitdepth=4)
    expected["palette4.png"] = np.array(palette, dtype=np.uint8)[idx]
    write_png(CODECS / "interlaced_rgb8.png", rgb.reshape(h, -1), w, h, greyscale=False, interlace=True)
    expected["interlaced_rgb8.png"] = rgb

    for name, kw, mode in [("baseline.jpg", {}, "RGB"), ("progressive.jpg", {"progressive": True}, "RGB"),
                           ("gray.jpg", {}, "L")]:
        im = Image.fromarray(rgb if mode == "RGB" else gray, mode)
        im.save(CODECS / name, quality=90, **kw)
        expected[name] = np.asarray(Image.open(CODECS / name).convert("RGB"))
    # CMYK with K = 0, where every CMYK->RGB convention agrees: R = 255 - C.
    cmy = 255 - rgb
    cmyk = np.concatenate([cmy, np.zeros((h, w, 1), np.uint8)], axis=-1)
    Image.fromarray(cmyk, "CMYK").save(CODECS / "cmyk.jpg", quality=95)
    decoded = np.asarray(Image.open(CODECS / "cmyk.jpg"))
    expected["cmyk.jpg"] = (255 - decoded[:, :, :3]).astype(np.uint8)

    for name, arr in expected.items():
        np.save(CODECS / f"{name}.expected.npy", arr.astype(np.float32))

    # Broken files: each must give a clear error, never a crash.
    good_png = (CODECS / "rgb8.png").read_bytes()
    good_jpg = (CODECS / "baseline.jpg").read_bytes()
    bad = CODECS / "bad"
    bad.mkdir(exist_ok=True)
    (bad / "truncated.png").write_bytes(good_png[: len(good_png) // 2])
    flipped = bytearray(good_png)
    flipped[40] ^= 0xFF  # inside IHDR/IDAT: CRC mismatch on a critical chunk
    (bad / "bad_crc.png").write_bytes(bytes(flipped))
    (bad / "signature_only.png").write_bytes(good_png[:8])
    (bad / "truncated.jpg").write_bytes(good_jpg[: len(good_jpg) // 2])
    (bad / "header_only.jpg").write_bytes(good_jpg[:200])
    garbage = bytearray(good_jpg)
    for i in range(400, min(len(garbage) - 2, 900)):
        garbage[i] = (garbage[i] * 7 + 13) & 0xFF
    (bad / "garbled.jpg").write_bytes(bytes(garbage))
    (bad / "soi_only.jpg").write_bytes(b"\xff\xd8\xff")
    (bad / "not_an_image.png").write_bytes(b"this is plain text, not a PNG at all\n")
    (bad / "empty.jpg").write_bytes(b"")
    # A 20000 x 20000 PNG header (400 MP): refused by the pixel budget before allocation.
    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 20001 * 4)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    (bad / "bomb_400mp.png").write_bytes(bomb)
    return list(expected)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    manifest = {"resize": resize_cases(rng)}
    jet = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(256, 1), cv2.COLORMAP_JET).reshape(256, 3)
    np.save(OUT / "jet_rgb.npy", jet[:, ::-1].astype(np.float32))
    img = photo_like(rng, 30, 40)
    Image.fromarray(img).save(OUT / "overlay_image.png")
    yy, xx = np.mgrid[0:30, 0:40]
    mask = np.exp(-((yy - 12) ** 2 + (xx - 25) ** 2) / 120.0).astype(np.float32)
    mask = (mask - mask.min()) / (1e-7 + mask.max() - mask.min())
    np.save(OUT / "overlay_mask.npy", mask.astype(np.float32))
    for w in (0.5, 0.3):
        np.save(OUT / f"overlay_expected_{w}.npy", overlay_reference(img, mask, w).astype(np.float32))
    manifest["codecs"] = codec_zoo(rng)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
